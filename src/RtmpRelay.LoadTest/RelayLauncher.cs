using System.Diagnostics;
using System.Net.Sockets;

namespace RtmpRelay.LoadTest;

/// <summary>
/// Starts RtmpRelay for a run (--relay-dll): <c>dotnet RtmpRelay.dll</c> in a new temporary folder, so no
/// appsettings.json is read, configured by arguments alone (a plain RTMP endpoint on the target's port, the sinks
/// as destinations, and --relay-arg extras); its output goes to relay.log there. Killed at the end.
/// </summary>
internal sealed class RelayLauncher : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _copying;

    private RelayLauncher(Process process, string directory, Task copying)
    {
        _process = process;
        Directory = directory;
        _copying = copying;
    }

    public int Pid => _process.Id;

    /// <summary>The temporary folder: relay.log is here.</summary>
    public string Directory { get; }

    public static async Task<RelayLauncher> StartAsync(LoadTestOptions options, IReadOnlyList<int> sinkPorts, CancellationToken cancellationToken)
    {
        var dll = Path.GetFullPath(options.RelayDll!);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"--relay-dll {dll} does not exist (build it: dotnet build src/RtmpRelay -c Release)");
        }
        var directory = System.IO.Directory.CreateTempSubdirectory("rtmprelay-loadtest-").FullName;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Kestrel:Endpoints:Rtmp:Url=rtmp://{options.Target.Host}:{options.Target.Port}");
        foreach (var argument in options.RelayDestinationArgs(sinkPorts))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var argument in options.RelayArgs)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            // Configured by the arguments alone: no relay or Kestrel settings leak in from this environment.
            if (key.StartsWith("Relay__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var log = new StreamWriter(Path.Combine(directory, "relay.log"));
        var copying = Task.WhenAll(CopyAsync(process.StandardOutput, log), CopyAsync(process.StandardError, log))
            .ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        var launcher = new RelayLauncher(process, directory, copying);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                await launcher.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"the relay exited with code {process.ExitCode}; see {directory}/relay.log");
            }
            if (await IsAcceptingAsync(options.Target, cancellationToken).ConfigureAwait(false))
            {
                return launcher;
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
        await launcher.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"the relay did not listen on {options.Target.Host}:{options.Target.Port} within 30 s; see {directory}/relay.log");
    }

    private static async Task<bool> IsAcceptingAsync(RtmpTarget target, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task CopyAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (to)
            {
                to.WriteLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        await _copying.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _process.Dispose();
    }
}

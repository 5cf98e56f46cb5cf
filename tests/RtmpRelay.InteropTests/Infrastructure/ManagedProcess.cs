using System.Diagnostics;
using System.Text;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// A child process with stdout and stderr captured asynchronously (in memory and optionally in a log file), bounded
/// waits only, and a guaranteed end: <see cref="Dispose"/> kills the whole tree, and <see cref="ProcessReaper"/>
/// kills it when the test host exits if a test never got to dispose it.
/// </summary>
internal sealed class ManagedProcess : IDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly StringBuilder _combined = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly StreamWriter? _log;
    private int _disposed;
    private int? _exitCode;

    private ManagedProcess(string name, Process process, StreamWriter? log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    /// <summary>A short label used in messages ("relay", "nginx-a", "ffmpeg-publisher" ...).</summary>
    public string Name { get; }

    public int Id { get; private set; }

    /// <summary>The command line, for messages.</summary>
    public required string CommandLine { get; init; }

    public bool HasExited
    {
        get
        {
            if (_exitCode is not null)
            {
                return true;
            }

            try
            {
                if (_process.HasExited)
                {
                    _exitCode = _process.ExitCode;
                    return true;
                }

                return false;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>The exit code, or null while running (or when it was never observed before disposal).</summary>
    public int? ExitCode => HasExited ? _exitCode : null;

    /// <summary>stdout and stderr interleaved in arrival order (most peers log on stderr).</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _combined.ToString();
            }
        }
    }

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> (passed as an argument list, no shell), in the
    /// test host's environment changed by <paramref name="environment"/> (a null value removes the variable).
    /// </summary>
    public static ManagedProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        string? logFile = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    startInfo.Environment.Remove(key);
                }
                else
                {
                    startInfo.Environment[key] = value;
                }
            }
        }

        var commandLine = fileName + " " + string.Join(' ', startInfo.ArgumentList.Select(Quote));
        StreamWriter? log = null;
        if (logFile is not null)
        {
            log = new StreamWriter(new FileStream(logFile, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8)
            {
                AutoFlush = true,
            };
            log.WriteLine("$ " + commandLine);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var managed = new ManagedProcess(name, process, log) { CommandLine = commandLine };
        process.OutputDataReceived += (_, e) => managed.Append(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data, isError: true);

        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"{name}: could not start {commandLine}");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log?.Dispose();
            throw new InvalidOperationException($"{name}: could not start {commandLine}: {e.Message}", e);
        }

        managed.Id = process.Id;
        ProcessReaper.Register(managed);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the process to exit (and its output to drain); true if it exited.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Blocks at most <paramref name="timeout"/> until the process has exited; true if it did.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        try
        {
            return _process.WaitForExit(timeout) || HasExited;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return true;
        }
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the exit code; throws with the captured output when it does not exit.</summary>
    public async Task<int> WaitForExitCodeAsync(TimeSpan timeout)
    {
        if (!await WaitForExitAsync(timeout).ConfigureAwait(false))
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0.#} s.\n{Describe()}");
        }

        return ExitCode ?? -1;
    }

    /// <summary>Sends a POSIX signal to the process itself (not its tree).</summary>
    public bool Signal(int signal) => !HasExited && UnixSignals.Send(Id, signal);

    /// <summary>
    /// Asks the process to finish cleanly: SIGINT, then SIGINT again (ffmpeg and rtmpdump abort a blocking read on the
    /// second), then a kill of the whole tree. Each step waits at most <paramref name="grace"/>. True if it ended
    /// before the kill.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (HasExited)
            {
                return true;
            }

            Signal(UnixSignals.SigInt);
            if (await WaitForExitAsync(grace).ConfigureAwait(false))
            {
                return true;
            }
        }

        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        return false;
    }

    /// <summary>Kills the whole process tree at once (SIGKILL); never throws.</summary>
    public void Kill()
    {
        try
        {
            if (!HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception)
        {
            // Already gone, or disposed: nothing left to kill.
        }
    }

    /// <summary>Name, command line, state and captured output, for assertion messages.</summary>
    public string Describe(int maxLines = 200)
    {
        var state = HasExited ? $"exited with {ExitCode?.ToString() ?? "?"}" : "still running";
        return $"--- {Name} (pid {Id}, {state}) ---\n$ {CommandLine}\n{Tail(Output, maxLines)}--- end of {Name} ---";
    }

    /// <summary>The last <paramref name="maxLines"/> lines of <paramref name="text"/>.</summary>
    public static string Tail(string text, int maxLines)
    {
        var lines = text.Split('\n');
        if (lines.Length <= maxLines)
        {
            return text.EndsWith('\n') || text.Length == 0 ? text : text + "\n";
        }

        return $"[... {lines.Length - maxLines} earlier lines cut ...]\n" + string.Join('\n', lines[^maxLines..]) + "\n";
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        try
        {
            _process.WaitForExit(5000);
            _ = HasExited;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        ProcessReaper.Unregister(this);
        _process.Dispose();
        lock (_gate)
        {
            _log?.Dispose();
        }
    }

    private void Append(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            (isError ? _stderr : _stdout).Append(line).Append('\n');
            _combined.Append(line).Append('\n');
            try
            {
                _log?.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@%+,{}".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}

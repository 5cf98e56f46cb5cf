using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// rtmpdump (librtmp) playing a live stream into an FLV file: <c>rtmpdump -r rtmp://... --live -o OUT</c>. It runs
/// until the server ends the stream or it is stopped with SIGINT, on which it closes the file cleanly (exit code 2,
/// "download may be incomplete", is normal for a live stream stopped that way).
/// </summary>
internal sealed class RtmpdumpPlayer : IDisposable
{
    private readonly ManagedProcess _process;

    private RtmpdumpPlayer(ManagedProcess process, string outputPath)
    {
        _process = process;
        OutputPath = outputPath;
    }

    public string OutputPath { get; }

    public int? ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>The process id (to freeze it with SIGSTOP, as a hung player would be).</summary>
    public int ProcessId => _process.Id;

    /// <summary>What rtmpdump printed (stderr and stdout).</summary>
    public string Output => _process.Output;

    public static IReadOnlyList<string> Arguments(string url, string outputPath) => ["-r", url, "--live", "-o", outputPath];

    public static RtmpdumpPlayer Start(string url, string workDirectory, string name = "rtmpdump")
    {
        var outputPath = Path.Combine(workDirectory, name + ".flv");
        var process = ManagedProcess.Start(name, PeerBinaries.Rtmpdump, Arguments(url, outputPath), workDirectory, Path.Combine(workDirectory, name + ".log"));
        return new RtmpdumpPlayer(process, outputPath);
    }

    /// <summary>Gives rtmpdump <paramref name="grace"/> to end by itself, then stops it cleanly (SIGINT), then kills it. True if it ended before the kill.</summary>
    public async Task<bool> FinishAsync(TimeSpan grace) =>
        await _process.WaitForExitAsync(grace) || await _process.StopAsync(TimeSpan.FromSeconds(3));

    /// <summary>Waits (bounded) for rtmpdump to exit by itself; true if it did.</summary>
    public Task<bool> TryWaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public string Describe() => _process.Describe(40);

    public void Dispose() => _process.Dispose();
}

using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// ffmpeg publishing a file in real time without re-encoding:
/// <c>ffmpeg -hide_banner -nostdin -loglevel level+warning -re -i SOURCE -c copy -f flv rtmp://...</c>.
/// level+warning tags every line with its level, so errors can be told from the usual warnings
/// ("Failed to update header with correct duration", which any live FLV output prints).
/// </summary>
internal sealed class FfmpegPublisher : IDisposable
{
    private readonly ManagedProcess _process;

    private FfmpegPublisher(ManagedProcess process) => _process = process;

    public int? ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>What ffmpeg printed (stderr and stdout).</summary>
    public string Output => _process.Output;

    /// <summary>Lines ffmpeg logged at level error or worse.</summary>
    public IReadOnlyList<string> ErrorLines =>
        Output.Split('\n').Where(l => l.Contains("[error]") || l.Contains("[fatal]") || l.Contains("[panic]")).ToList();

    /// <summary>The ffmpeg arguments; <paramref name="outputOptions"/> (e.g. -rtmp_flush_interval 1) go right before the URL.</summary>
    public static IReadOnlyList<string> Arguments(string source, string url, IReadOnlyList<string>? outputOptions = null) =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "level+warning",
        "-re", "-i", source,
        "-c", "copy", "-f", "flv", .. outputOptions ?? [], url,
    ];

    public static FfmpegPublisher Start(string source, string url, string workDirectory, string name = "ffmpeg-publisher", IReadOnlyList<string>? outputOptions = null) =>
        new(ManagedProcess.Start(name, PeerBinaries.Ffmpeg, Arguments(source, url, outputOptions), workDirectory, Path.Combine(workDirectory, name + ".log")));

    /// <summary>Waits (bounded) for ffmpeg to exit and returns its exit code; throws with its output on timeout.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitCodeAsync(timeout);

    /// <summary>Waits (bounded) for ffmpeg to exit; true if it did.</summary>
    public Task<bool> TryWaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public string Describe() => _process.Describe();

    public void Dispose() => _process.Dispose();
}

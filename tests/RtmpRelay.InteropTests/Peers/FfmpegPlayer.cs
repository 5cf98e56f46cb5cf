using System.Globalization;
using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// ffmpeg playing a live RTMP stream into an FLV file without re-encoding, for at most <c>-t</c> seconds of media:
/// <c>ffmpeg -nostdin -rw_timeout 10000000 -i rtmp://... -map 0:v? -map 0:a? -t N -c copy -f flv -y OUT</c>.
/// Stopped with SIGINT (it then finishes the file) when it does not end by itself.
/// </summary>
internal sealed class FfmpegPlayer : IDisposable
{
    private readonly ManagedProcess _process;

    private FfmpegPlayer(ManagedProcess process, string outputPath)
    {
        _process = process;
        OutputPath = outputPath;
    }

    /// <summary>The FLV file ffmpeg writes.</summary>
    public string OutputPath { get; }

    public int? ExitCode => _process.ExitCode;

    /// <summary>The ffmpeg arguments; <paramref name="inputOptions"/> (e.g. -analyzeduration) go right before -i.</summary>
    public static IReadOnlyList<string> Arguments(string url, string outputPath, TimeSpan maxDuration, IReadOnlyList<string>? inputOptions = null) =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "level+warning",
        "-rw_timeout", "10000000",
        .. inputOptions ?? [],
        "-i", url,
        "-map", "0:v?", "-map", "0:a?",
        "-t", maxDuration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
        "-c", "copy", "-f", "flv", "-y", outputPath,
    ];

    public static FfmpegPlayer Start(string url, string workDirectory, TimeSpan maxDuration, string name = "ffmpeg-player", IReadOnlyList<string>? inputOptions = null)
    {
        var outputPath = Path.Combine(workDirectory, name + ".flv");
        var process = ManagedProcess.Start(name, PeerBinaries.Ffmpeg, Arguments(url, outputPath, maxDuration, inputOptions), workDirectory, Path.Combine(workDirectory, name + ".log"));
        return new FfmpegPlayer(process, outputPath);
    }

    /// <summary>Gives ffmpeg <paramref name="grace"/> to end by itself, then stops it cleanly (SIGINT), then kills it. True if it ended before the kill.</summary>
    public async Task<bool> FinishAsync(TimeSpan grace) =>
        await _process.WaitForExitAsync(grace) || await _process.StopAsync(TimeSpan.FromSeconds(3));

    public string Describe() => _process.Describe();

    public void Dispose() => _process.Dispose();
}

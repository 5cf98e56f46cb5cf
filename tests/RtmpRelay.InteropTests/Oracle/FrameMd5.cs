using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>Lists a media file's packets with <c>ffmpeg -copyts -i FILE -map 0:v? -map 0:a? -c copy -f framemd5 -</c>.</summary>
/// <remarks>
/// -copyts keeps the container's timestamps as they are (without it ffmpeg shifts every file to start at 0, which
/// would hide what the comparer is there to check); the comparer allows one constant offset per file instead.
/// </remarks>
internal static class FrameMd5
{
    public static IReadOnlyList<string> Arguments(string file) =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "error",
        "-copyts", "-i", file,
        "-map", "0:v?", "-map", "0:a?",
        "-c", "copy", "-f", "framemd5", "-",
    ];

    public static async Task<MediaListing> ListAsync(string file) => MediaListing.Parse(await ReadTextAsync(file), file);

    /// <summary>The raw framemd5 text of <paramref name="file"/>.</summary>
    public static async Task<string> ReadTextAsync(string file)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No media file to list: {file}", file);
        }

        using var ffmpeg = ManagedProcess.Start("ffmpeg-framemd5", PeerBinaries.Ffmpeg, Arguments(file));
        var exitCode = await ffmpeg.WaitForExitCodeAsync(TimeSpan.FromSeconds(60));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"framemd5 of {file} failed.\n{ffmpeg.Describe()}");
        }

        return ffmpeg.StandardOutput;
    }
}

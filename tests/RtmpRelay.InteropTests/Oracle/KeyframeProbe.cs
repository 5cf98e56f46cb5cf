using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>Reads the key flags of a file's video packets with ffprobe (framemd5 does not show flags).</summary>
internal static class KeyframeProbe
{
    /// <summary>True when the first video packet is flagged as a keyframe, false when it is not, null when there is no video packet.</summary>
    public static async Task<bool?> FirstVideoPacketIsKeyframeAsync(string file)
    {
        using var ffprobe = ManagedProcess.Start("ffprobe", PeerBinaries.Ffprobe,
        [
            "-hide_banner", "-v", "error",
            "-select_streams", "v:0", "-read_intervals", "%+#1",
            "-show_entries", "packet=flags", "-of", "csv=p=0",
            file,
        ]);
        var exitCode = await ffprobe.WaitForExitCodeAsync(TimeSpan.FromSeconds(30));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe of {file} failed.\n{ffprobe.Describe()}");
        }

        var first = ffprobe.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is null ? null : first.StartsWith('K');
    }

    /// <summary>
    /// The key flag of every video packet of the first video stream, in the order framemd5 lists them
    /// (<c>ffprobe -select_streams v:0 -show_entries packet=flags</c>): index k is true when video packet k is a keyframe.
    /// </summary>
    public static async Task<IReadOnlyList<bool>> VideoKeyframeFlagsAsync(string file)
    {
        using var ffprobe = ManagedProcess.Start("ffprobe", PeerBinaries.Ffprobe,
        [
            "-hide_banner", "-v", "error",
            "-select_streams", "v:0",
            "-show_entries", "packet=flags", "-of", "csv=p=0",
            file,
        ]);
        var exitCode = await ffprobe.WaitForExitCodeAsync(TimeSpan.FromSeconds(60));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe of {file} failed.\n{ffprobe.Describe()}");
        }

        return ffprobe.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(flags => flags.StartsWith('K'))
            .ToList();
    }
}

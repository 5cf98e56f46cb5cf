using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>Reads the key flag of a file's first video packet with ffprobe (framemd5 does not show flags).</summary>
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
}

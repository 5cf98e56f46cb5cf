using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// The source every test publishes, generated once per test run with ffmpeg's lavfi sources: H.264 (libx264
/// ultrafast, 320x240, 25 fps, a keyframe every 25 frames, yuv420p) and AAC-LC 44.1 kHz stereo, 4.5 s, in FLV.
/// About 470 kB and 300 packets; generating it takes well under a second.
/// </summary>
internal sealed class TestMedia
{
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(4.5);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestMedia? _instance;

    private TestMedia(string path, MediaListing listing)
    {
        Path = path;
        Listing = listing;
    }

    /// <summary>The FLV file.</summary>
    public string Path { get; }

    /// <summary>Its framemd5 listing, the expected side of every oracle for ffmpeg publishers.</summary>
    public MediaListing Listing { get; }

    public static IReadOnlyList<string> GenerateArguments(string output, TimeSpan duration) =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-ac", "2",
        "-f", "flv", output,
    ];

    /// <summary>The run's source, generated on first use.</summary>
    public static async Task<TestMedia> GetAsync()
    {
        if (_instance is { } ready)
        {
            return ready;
        }

        await Gate.WaitAsync();
        try
        {
            if (_instance is { } raced)
            {
                return raced;
            }

            var dir = System.IO.Path.Combine(TestDirectory.RunRoot, "media");
            Directory.CreateDirectory(dir);
            var path = System.IO.Path.Combine(dir, "source.flv");
            using (var ffmpeg = ManagedProcess.Start("ffmpeg-generate", PeerBinaries.Ffmpeg, GenerateArguments(path, Duration), dir))
            {
                var exitCode = await ffmpeg.WaitForExitCodeAsync(TimeSpan.FromSeconds(60));
                if (exitCode != 0 || !File.Exists(path))
                {
                    throw new InvalidOperationException($"Could not generate the test media.\n{ffmpeg.Describe()}");
                }
            }

            var listing = await FrameMd5.ListAsync(path);
            if (listing.PacketsOf(MediaListing.Video).Count == 0 || listing.PacketsOf(MediaListing.Audio).Count == 0)
            {
                throw new InvalidOperationException($"The generated test media lacks video or audio: {listing}");
            }

            return _instance = new TestMedia(path, listing);
        }
        finally
        {
            Gate.Release();
        }
    }
}

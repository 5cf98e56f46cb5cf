using System.Globalization;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// The sources the tests publish, generated once per test run and duration with ffmpeg's lavfi sources: H.264
/// (libx264 ultrafast, 320x240, 25 fps, a keyframe every 25 frames, yuv420p) and AAC-LC 44.1 kHz stereo, in FLV.
/// The default clip (<see cref="GetAsync()"/>) lasts 4.5 s: about 470 kB and 300 packets; generating it takes well
/// under a second. Tests that need a longer stream ask for their duration (<see cref="GetAsync(TimeSpan)"/>).
/// </summary>
internal sealed class TestMedia
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(4.5);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<(TimeSpan, bool), TestMedia> Instances = [];

    private TestMedia(string path, TimeSpan duration, MediaListing listing)
    {
        Path = path;
        Duration = duration;
        Listing = listing;
    }

    /// <summary>The FLV file.</summary>
    public string Path { get; }

    /// <summary>How long the clip lasts (what ffmpeg was asked for with -t).</summary>
    public TimeSpan Duration { get; }

    /// <summary>Its framemd5 listing, the expected side of every oracle for ffmpeg publishers.</summary>
    public MediaListing Listing { get; }

    /// <param name="encoderBitrate">A 640x480 picture at a near-lossless quantiser, about 4.6 Mbit/s, as a real encoder sends.</param>
    public static IReadOnlyList<string> GenerateArguments(string output, TimeSpan duration, bool encoderBitrate = false) =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", encoderBitrate ? "testsrc2=size=640x480:rate=25" : "testsrc2=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        "-c:v", "libx264", "-preset", "ultrafast", .. (encoderBitrate ? (string[])["-qp", "6"] : []), "-pix_fmt", "yuv420p",
        "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-ac", "2",
        "-f", "flv", output,
    ];

    /// <summary>The run's default source (<see cref="DefaultDuration"/>), generated on first use.</summary>
    public static Task<TestMedia> GetAsync() => GetAsync(DefaultDuration);

    /// <summary>The run's source of <paramref name="duration"/> (whole milliseconds), generated on first use and cached for the run.</summary>
    public static Task<TestMedia> GetAsync(TimeSpan duration) => GetAsync(duration, encoderBitrate: false);

    /// <summary>Like <see cref="GetAsync(TimeSpan)"/>, at a real encoder's bit rate (about 4.6 Mbit/s) when <paramref name="encoderBitrate"/>.</summary>
    public static async Task<TestMedia> GetAsync(TimeSpan duration, bool encoderBitrate)
    {
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromMinutes(5) || duration.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A test clip lasts whole milliseconds, at most 5 minutes.");
        }

        await Gate.WaitAsync();
        try
        {
            if (Instances.TryGetValue((duration, encoderBitrate), out var ready))
            {
                return ready;
            }

            var dir = System.IO.Path.Combine(TestDirectory.RunRoot, "media");
            Directory.CreateDirectory(dir);
            var fileName = duration == DefaultDuration && !encoderBitrate
                ? "source.flv"
                : $"source-{((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms{(encoderBitrate ? "-hd" : "")}.flv";
            var path = System.IO.Path.Combine(dir, fileName);
            using (var ffmpeg = ManagedProcess.Start("ffmpeg-generate", PeerBinaries.Ffmpeg, GenerateArguments(path, duration, encoderBitrate), dir))
            {
                var exitCode = await ffmpeg.WaitForExitCodeAsync(TimeSpan.FromSeconds(60) + 4 * duration);
                if (exitCode != 0 || !File.Exists(path))
                {
                    throw new InvalidOperationException($"Could not generate the {duration.TotalSeconds:0.###} s test media.\n{ffmpeg.Describe()}");
                }
            }

            var listing = await FrameMd5.ListAsync(path);
            if (listing.PacketsOf(MediaListing.Video).Count == 0 || listing.PacketsOf(MediaListing.Audio).Count == 0)
            {
                throw new InvalidOperationException($"The generated test media lacks video or audio: {listing}");
            }

            return Instances[(duration, encoderBitrate)] = new TestMedia(path, duration, listing);
        }
        finally
        {
            Gate.Release();
        }
    }
}

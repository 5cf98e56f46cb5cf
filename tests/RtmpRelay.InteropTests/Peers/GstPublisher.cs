using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// gst-launch-1.0 publishing a file in real time through rtmp2sink or rtmpsink (librtmp). GStreamer demuxes and remuxes
/// (flvdemux, h264parse/aacparse, flvmux streamable=true), so what it sends is not byte-for-byte the source: a tee after
/// flvmux also writes exactly what goes to the sink into <see cref="SentPath"/>, and that file is the oracle's source.
/// </summary>
internal sealed class GstPublisher : IDisposable
{
    private readonly ManagedProcess _process;

    private GstPublisher(ManagedProcess process, string sentPath)
    {
        _process = process;
        SentPath = sentPath;
    }

    /// <summary>A copy of the FLV bytes GStreamer sent (the oracle's source for GStreamer tests).</summary>
    public string SentPath { get; }

    public int? ExitCode => _process.ExitCode;

    public string Output => _process.Output;

    /// <summary>
    /// The gst-launch-1.0 arguments; gst-launch escapes each argument, so "location=URL live=1" stays one property value.
    /// <paramref name="sinkProperties"/> (e.g. tls-validation-flags=no-flags) are added to the sink element.
    /// </summary>
    public static IReadOnlyList<string> Arguments(GstSink sink, string source, string url, string sentPath, IReadOnlyList<string>? sinkProperties = null)
    {
        string[] sinkElement = sink switch
        {
            GstSink.Rtmp2Sink => ["rtmp2sink", $"location={url}", "sync=true", .. sinkProperties ?? []],
            GstSink.RtmpSink => ["rtmpsink", $"location={url} live=1", "sync=true", .. sinkProperties ?? []],
            _ => throw new ArgumentOutOfRangeException(nameof(sink)),
        };

        return
        [
            "-e",
            "filesrc", $"location={source}", "!", "flvdemux", "name=demux",
            "flvmux", "name=mux", "streamable=true", "!", "tee", "name=sent",
            "sent.", "!", "queue", "!", .. sinkElement,
            "sent.", "!", "queue", "!", "filesink", $"location={sentPath}", "sync=false",
            "demux.video", "!", "queue", "!", "h264parse", "!", "mux.video",
            "demux.audio", "!", "queue", "!", "aacparse", "!", "mux.audio",
        ];
    }

    public static async Task<GstPublisher> StartAsync(GstSink sink, string source, string url, string workDirectory, IReadOnlyList<string>? sinkProperties = null)
    {
        var element = sink == GstSink.Rtmp2Sink ? "rtmp2sink" : "rtmpsink";
        await PeerBinaries.RequireGstElementsAsync(element, "filesrc", "flvdemux", "flvmux", "h264parse", "aacparse", "tee", "queue", "filesink");
        var name = $"gst-{element}";
        var sentPath = Path.Combine(workDirectory, $"{name}-sent.flv");
        var process = ManagedProcess.Start(
            name,
            PeerBinaries.GstLaunch,
            Arguments(sink, source, url, sentPath, sinkProperties),
            workDirectory,
            Path.Combine(workDirectory, name + ".log"),
            new Dictionary<string, string?> { ["GST_DEBUG_NO_COLOR"] = "1" });
        return new GstPublisher(process, sentPath);
    }

    /// <summary>Waits (bounded) for gst-launch to reach EOS and exit; returns its exit code, throws with its output on timeout.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitCodeAsync(timeout);

    public string Describe() => _process.Describe();

    public void Dispose() => _process.Dispose();
}

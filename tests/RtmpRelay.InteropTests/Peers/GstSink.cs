namespace RtmpRelay.InteropTests.Peers;

/// <summary>The GStreamer RTMP sink a <see cref="GstPublisher"/> uses.</summary>
internal enum GstSink
{
    /// <summary>rtmp2sink (gst-plugins-bad), GStreamer's own RTMP client.</summary>
    Rtmp2Sink,

    /// <summary>rtmpsink (gst-plugins-bad), librtmp underneath: the same client as rtmpdump.</summary>
    RtmpSink,
}

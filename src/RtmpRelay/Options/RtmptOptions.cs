namespace RtmpRelay.Options;

/// <summary>The "Relay:Rtmpt" section: RTMP tunnelled in HTTP (rtmpt://, rtmpts://).</summary>
public sealed class RtmptOptions
{
    /// <summary>A session that gets no request for this long is closed. Default 30 s.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most open sessions in total. Default 1000.</summary>
    public int MaxSessions { get; set; } = 1000;

    /// <summary>Most open sessions per client IP address. Default 16.</summary>
    public int MaxSessionsPerClient { get; set; } = 16;

    /// <summary>Largest request body accepted (larger ones get 413). Default 1 MiB.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most client-to-server bytes buffered in a session before a /send waits for the relay to read them.
    /// Default 1 MiB.
    /// </summary>
    public int MaxBufferedBytes { get; set; } = 1024 * 1024;

    /// <summary>Most server-to-client bytes in one response; the rest waits for the next request. Default 64 KiB.</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>How long an /idle with nothing to return waits for data before answering empty. Default 200 ms.</summary>
    public TimeSpan IdleHold { get; set; } = TimeSpan.FromMilliseconds(200);
}

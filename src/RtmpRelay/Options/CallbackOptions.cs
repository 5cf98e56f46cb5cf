namespace RtmpRelay.Options;

/// <summary>
/// An authorization callback: the relay POSTs JSON {"action","app","stream","key","clientIp","tcUrl","transport"}.
/// A 2xx answer allows (and a JSON body {"name": "..."} renames the stream); anything else, an error or no answer
/// within <see cref="Timeout"/> denies.
/// </summary>
public sealed class CallbackOptions
{
    /// <summary>Absolute http or https URL. Default none (no callback).</summary>
    public string? Url { get; set; }

    /// <summary>Time the callback has to answer. Default 3 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}

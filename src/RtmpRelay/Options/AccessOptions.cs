namespace RtmpRelay.Options;

/// <summary>
/// Who may publish (the "Publish" section of an application) or play (the "Play" section). With nothing set anyone
/// may. AllowFrom is checked first; then a matching key or an allowing callback admits (either is enough).
/// </summary>
public sealed class AccessOptions
{
    /// <summary>
    /// Keys by label: a client presents a key as "key=..." in the query of the stream name (show1?key=SECRET) or of
    /// the tcUrl (rtmp://host/live?key=SECRET). Logs show the label, never the key. Default none.
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>An HTTP service asked to allow or deny. Default none.</summary>
    public CallbackOptions Callback { get; set; } = new();

    /// <summary>Address ranges (CIDR, IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32) allowed at all. Default: any address.</summary>
    public List<string> AllowFrom { get; set; } = [];
}

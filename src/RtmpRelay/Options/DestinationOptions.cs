namespace RtmpRelay.Options;

/// <summary>One push destination.</summary>
public sealed class DestinationOptions
{
    /// <summary>
    /// rtmp://host[:port]/app[/...]/streamname[?query]. "{app}" and "{stream}" are replaced by the published
    /// application and stream name. The last path segment (query included) is the stream name published there;
    /// the rest is the application connected to. Required.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// rtmps only: SHA-256 fingerprint (hex, colons optional) of the certificate the destination must present.
    /// When set, exactly that certificate is accepted, self-signed included, and nothing else. Default none: the
    /// certificate is validated against the system trust store and the host name.
    /// </summary>
    public string? CertificateFingerprint { get; set; }

    /// <summary>
    /// rtmps only: accept any certificate. For labs; the traffic is encrypted but anyone in the path can read it.
    /// A warning is logged at every connect. Default false.
    /// </summary>
    public bool AllowInvalidCertificate { get; set; }

    /// <summary>Set false to keep a destination configured but not pushed to. Default true.</summary>
    public bool Enabled { get; set; } = true;
}

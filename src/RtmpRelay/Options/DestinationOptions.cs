namespace RtmpRelay.Options;

/// <summary>One push destination: a Url, or a Platform preset with its Key.</summary>
public sealed class DestinationOptions
{
    /// <summary>
    /// rtmp://host[:port]/app[/...]/streamname[?query]. "{app}" and "{stream}" are replaced by the published
    /// application and stream name. The last path segment (query included) is the stream name published there;
    /// the rest is the application connected to. Required unless <see cref="Platform"/> is set.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// Where to push after <see cref="FailoverAfter"/> consecutive failures of <see cref="Url"/> (same form as Url).
    /// After as many failures of the backup the primary is tried again. Default none.
    /// </summary>
    public string? BackupUrl { get; set; }

    /// <summary>Consecutive failures of one URL before the other (primary or backup) is tried. Default 3.</summary>
    public int FailoverAfter { get; set; } = 3;

    /// <summary>
    /// A platform preset instead of a Url: youtube, twitch or facebook. With <see cref="Key"/> it expands to the
    /// platform's documented primary (and backup) ingest URLs. Default none.
    /// </summary>
    public string? Platform { get; set; }

    /// <summary>The stream key for <see cref="Platform"/>. A secret: never logged, shown redacted.</summary>
    public string? Key { get; set; }

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

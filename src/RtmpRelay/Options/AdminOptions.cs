namespace RtmpRelay.Options;

/// <summary>The "Relay:Admin" section. The admin endpoint itself is Kestrel's "Admin" (default http://127.0.0.1:1985).</summary>
public sealed class AdminOptions
{
    /// <summary>
    /// When set, every API request needs "Authorization: Bearer &lt;token&gt;" (the status page asks for it once);
    /// /healthz and /readyz stay open. Required when the admin endpoint listens beyond loopback. Default none.
    /// </summary>
    public string? Token { get; set; }
}

using System.Globalization;
using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// The 127.0.0.1 ports of one relay's Kestrel endpoints: plain RTMP (which also takes RTMPE) always, and optionally
/// RTMPS, RTMPT (which also takes RTMPTE) and RTMPTS. Chosen before the relay starts, so two relays can be told each
/// other's addresses (cluster) and a test can name a port in a destination URL.
/// </summary>
/// The admin HTTP endpoint gets a free port too (or port 0 when none was chosen), never the default 1985, so relays run side by side.
internal sealed record RelayEndpoints(int Rtmp, int? Rtmps = null, int? Rtmpt = null, int? Rtmpts = null, int? Admin = null)
{
    /// <summary>The development certificate paths, relative to the relay's working folder, that make it create one at start.</summary>
    public const string DevCertificatePath = "certs/dev-cert.pem";

    public const string DevKeyPath = "certs/dev-key.pem";

    /// <summary>Free ports for plain RTMP and for each endpoint asked for.</summary>
    public static RelayEndpoints Allocate(bool rtmps = false, bool rtmpt = false, bool rtmpts = false) =>
        new(FreePort.Next(), rtmps ? FreePort.Next() : null, rtmpt ? FreePort.Next() : null, rtmpts ? FreePort.Next() : null, FreePort.Next());

    /// <summary>http://127.0.0.1:ADMINPORT/, the admin API and status page.</summary>
    public Uri AdminBaseAddress => new($"http://127.0.0.1:{Admin ?? throw NotConfigured("http", "Admin")}/");

    /// <summary>Every port the relay listens on, RTMP first.</summary>
    public IEnumerable<int> Ports => new[] { Rtmp, Rtmps, Rtmpt, Rtmpts, Admin }.OfType<int>();

    /// <summary>
    /// The Kestrel arguments. The TLS endpoints use the development certificate paths (the relay creates the files in
    /// its working folder when they are missing).
    /// </summary>
    public IEnumerable<string> Arguments()
    {
        yield return $"--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:{(Admin is { } admin ? Format(admin) : "0")}";
        yield return $"--Kestrel:Endpoints:Rtmp:Url=rtmp://127.0.0.1:{Format(Rtmp)}";
        if (Rtmps is { } rtmps)
        {
            yield return $"--Kestrel:Endpoints:Rtmps:Url=rtmps://127.0.0.1:{Format(rtmps)}";
            yield return $"--Kestrel:Endpoints:Rtmps:Certificate:Path={DevCertificatePath}";
            yield return $"--Kestrel:Endpoints:Rtmps:Certificate:KeyPath={DevKeyPath}";
        }

        if (Rtmpt is { } rtmpt)
        {
            yield return $"--Kestrel:Endpoints:Rtmpt:Url=rtmpt://127.0.0.1:{Format(rtmpt)}";
        }

        if (Rtmpts is { } rtmpts)
        {
            yield return $"--Kestrel:Endpoints:Rtmpts:Url=rtmpts://127.0.0.1:{Format(rtmpts)}";
            yield return $"--Kestrel:Endpoints:Rtmpts:Certificate:Path={DevCertificatePath}";
            yield return $"--Kestrel:Endpoints:Rtmpts:Certificate:KeyPath={DevKeyPath}";
        }
    }

    /// <summary>
    /// The port a client of <paramref name="scheme"/> connects to: rtmp and rtmpe the RTMP port, rtmps the RTMPS
    /// port, rtmpt and rtmpte the RTMPT port, rtmpts the RTMPTS port.
    /// </summary>
    public int PortFor(string scheme) => scheme switch
    {
        "rtmp" or "rtmpe" => Rtmp,
        "rtmps" => Rtmps ?? throw NotConfigured(scheme, "Rtmps"),
        "rtmpt" or "rtmpte" => Rtmpt ?? throw NotConfigured(scheme, "Rtmpt"),
        "rtmpts" => Rtmpts ?? throw NotConfigured(scheme, "Rtmpts"),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "not an RTMP scheme"),
    };

    private static string Format(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static InvalidOperationException NotConfigured(string scheme, string endpoint) =>
        new($"A {scheme}:// URL needs the relay's {endpoint} endpoint, which this test did not configure.");
}

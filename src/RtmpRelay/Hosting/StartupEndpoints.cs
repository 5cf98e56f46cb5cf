using System.Globalization;
using System.Net;

namespace RtmpRelay.Hosting;

/// <summary>What a Kestrel endpoint of the relay serves, which decides the scheme a client uses on it.</summary>
internal enum EndpointRole
{
    /// <summary>The RTMP connection handler (endpoints "Rtmp" and "Rtmps"): rtmp://, or rtmps:// with TLS.</summary>
    Rtmp,

    /// <summary>The HTTP side (every other endpoint): RTMPT, rtmpt://, or rtmpts:// with TLS; YARP for the rest.</summary>
    Rtmpt,

    /// <summary>The admin API and status page (endpoint "Admin").</summary>
    Admin,
}

/// <summary>One endpoint of "Kestrel:Endpoints" as configured, and once bound, where it listens.</summary>
/// <param name="Name">The endpoint's name (the configuration key).</param>
/// <param name="Url">The configured URL, as written.</param>
/// <param name="Host">The configured host: an IP address, "localhost", a name, or "*" / "+" for any address.</param>
/// <param name="Port">The configured port (0: any free port), or the bound one once <see cref="StartupEndpoints.Bind"/> ran.</param>
/// <param name="Tls">Whether Kestrel wraps it in TLS (rtmps, rtmpts, https).</param>
/// <param name="AllowRtmpe">The endpoint's "AllowRtmpe" (default true).</param>
internal sealed record StartupEndpoint(string Name, string Url, string Host, int Port, bool Tls, bool AllowRtmpe)
{
    public EndpointRole Role =>
        Name.Equals(RelayHostBuilderExtensions.RtmpEndpoint, StringComparison.OrdinalIgnoreCase) ||
        Name.Equals(RelayHostBuilderExtensions.RtmpsEndpoint, StringComparison.OrdinalIgnoreCase) ? EndpointRole.Rtmp
        : Name.Equals(StartupEndpoints.AdminEndpoint, StringComparison.OrdinalIgnoreCase) ? EndpointRole.Admin
        : EndpointRole.Rtmpt;

    /// <summary>
    /// The scheme a client uses, from what the endpoint serves (its name) and whether it has TLS, whatever scheme its
    /// URL was written with: rtmp, rtmps, rtmpt, rtmpts, or http / https for the admin endpoint.
    /// </summary>
    public string Scheme => Role switch
    {
        EndpointRole.Rtmp => Tls ? "rtmps" : "rtmp",
        EndpointRole.Rtmpt => Tls ? "rtmpts" : "rtmpt",
        _ => Tls ? "https" : "http",
    };

    /// <summary>Bound to every address of the machine (0.0.0.0, [::], * or +).</summary>
    public bool AnyAddress =>
        Host is "*" or "+" || (IPAddress.TryParse(Host, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)));

    /// <summary>Reachable from this machine only (127.0.0.0/8, ::1, localhost).</summary>
    public bool LoopbackOnly =>
        Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The address a client on another machine would use: the host name for an any-address binding.</summary>
    public string DisplayAuthority(string machineName)
    {
        var host = AnyAddress ? machineName : Host.Contains(':') ? $"[{Host}]" : Host;
        return $"{host}:{Port.ToString(CultureInfo.InvariantCulture)}";
    }
}

/// <summary>
/// Reads the relay's endpoints from configuration (the form users write, rtmp://0.0.0.0:1935) and matches them to the
/// addresses Kestrel reports once it bound them (the form it was handed, http://0.0.0.0:1935, with real ports).
/// </summary>
internal static class StartupEndpoints
{
    public const string AdminEndpoint = "Admin";
    public const string EndpointsSection = "Kestrel:Endpoints";

    /// <summary>Endpoint URL schemes and whether each is TLS: the relay's own, mapped by <see cref="EndpointSchemes"/>, and Kestrel's.</summary>
    private static readonly Dictionary<string, bool> Schemes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["rtmp"] = false, ["rtmpt"] = false, ["tcp"] = false, ["http"] = false,
        ["rtmps"] = true, ["rtmpts"] = true, ["https"] = true,
    };

    /// <summary>
    /// The endpoints of "Kestrel:Endpoints" in the order Kestrel binds them (configuration order); problems (a
    /// missing or unparsable URL) go to <paramref name="errors"/>, each naming the key and its value.
    /// </summary>
    public static IReadOnlyList<StartupEndpoint> Read(IConfiguration configuration, List<string>? errors = null)
    {
        var endpoints = new List<StartupEndpoint>();
        foreach (var section in configuration.GetSection(EndpointsSection).GetChildren())
        {
            var key = $"{EndpointsSection}:{section.Key}:Url";
            var url = section["Url"];
            if (string.IsNullOrWhiteSpace(url))
            {
                errors?.Add($"{key} is missing: every endpoint under {EndpointsSection} needs a Url (e.g. rtmp://0.0.0.0:1935).");
                continue;
            }
            if (!TryParse(url, out var host, out var port, out var tls, out var problem))
            {
                errors?.Add($"{key} = '{url}' is not a valid endpoint URL ({problem}); write it like rtmp://0.0.0.0:1935.");
                continue;
            }
            endpoints.Add(new StartupEndpoint(section.Key, url, host, port, tls, section.GetValue("AllowRtmpe", true)));
        }
        return endpoints;
    }

    /// <summary>Parses SCHEME://HOST:PORT (the port may be left out only for http and https), as Kestrel would bind it.</summary>
    public static bool TryParse(string url, out string host, out int port, out bool tls, out string problem)
    {
        host = "";
        port = 0;
        tls = false;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || !Schemes.TryGetValue(url[..schemeEnd], out tls))
        {
            problem = "the scheme must be rtmp, rtmps, rtmpt, rtmpts, http or https";
            return false;
        }
        var scheme = url[..schemeEnd].ToLowerInvariant();
        var authority = url[(schemeEnd + 3)..];
        var slash = authority.IndexOf('/');
        if (slash >= 0)
        {
            if (authority[slash..].TrimEnd('/').Length > 0)
            {
                problem = "an endpoint URL has no path";
                return false;
            }
            authority = authority[..slash];
        }
        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                problem = "unclosed '[' in the IPv6 address";
                return false;
            }
            host = authority[1..close];
            portText = authority[(close + 1)..];
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? "" : authority[colon..];
        }
        if (host.Length == 0 || (host.Contains(':') && !IPAddress.TryParse(host, out _)))
        {
            problem = "no host (use 0.0.0.0 for any address)";
            return false;
        }
        if (portText.Length == 0)
        {
            if (scheme is "http" or "https")
            {
                port = scheme == "https" ? 443 : 80;
                problem = "";
                return true;
            }
            problem = "no port";
            return false;
        }
        if (portText[0] != ':' || !int.TryParse(portText.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            problem = $"'{portText.TrimStart(':')}' is not a port, 0-65535";
            return false;
        }
        problem = "";
        return true;
    }

    /// <summary>
    /// The endpoints with the ports Kestrel bound (<paramref name="addresses"/>, from IServerAddressesFeature, in bind
    /// order): each takes the first unused address with its TLS-ness and port (any port, for a configured port 0),
    /// preferring the same host. An endpoint with no match keeps its configured port.
    /// </summary>
    public static IReadOnlyList<StartupEndpoint> Bind(IReadOnlyList<StartupEndpoint> endpoints, IEnumerable<string> addresses)
    {
        var bound = new List<(string Host, int Port, bool Tls)>();
        foreach (var address in addresses)
        {
            if (TryParse(address, out var host, out var port, out var tls, out _))
            {
                bound.Add((host, port, tls));
            }
        }
        var used = new bool[bound.Count];
        var result = new List<StartupEndpoint>(endpoints.Count);
        foreach (var endpoint in endpoints)
        {
            int Find(bool sameHost)
            {
                for (var i = 0; i < bound.Count; i++)
                {
                    var (host, port, tls) = bound[i];
                    if (!used[i] && tls == endpoint.Tls && (endpoint.Port == 0 || port == endpoint.Port) &&
                        (!sameHost || SameHost(host, endpoint.Host)))
                    {
                        return i;
                    }
                }
                return -1;
            }
            var match = Find(sameHost: true);
            if (match < 0)
            {
                match = Find(sameHost: false);
            }
            if (match < 0)
            {
                result.Add(endpoint);
                continue;
            }
            used[match] = true;
            result.Add(endpoint with { Port = bound[match].Port });
        }
        return result;
    }

    private static bool SameHost(string bound, string configured) =>
        bound.Equals(configured, StringComparison.OrdinalIgnoreCase) ||
        (configured is "*" or "+" && IPAddress.TryParse(bound, out var any) && (any.Equals(IPAddress.IPv6Any) || any.Equals(IPAddress.Any)));
}

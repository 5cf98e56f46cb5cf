namespace RtmpRelay.Destinations;

/// <summary>
/// A destination URL split the way an encoder splits it: rtmp://host[:port]/app[/more]/stream[?query].
/// The last path segment, query included, is the stream name; the path before it is the application.
/// </summary>
internal sealed record DestinationUrl(string Scheme, string Host, int Port, string App, string StreamName)
{
    public const int DefaultRtmpPort = 1935;

    /// <summary>Whether the connection is wrapped in TLS (rtmps, and rtmpts around the HTTP tunnel).</summary>
    public bool UsesTls => Scheme is "rtmps" or "rtmpts";

    /// <summary>Whether the RTMP byte stream is carried in an HTTP tunnel (rtmpt, rtmpte, rtmpts).</summary>
    public bool UsesTunnel => Scheme is "rtmpt" or "rtmpte" or "rtmpts";

    /// <summary>Whether the RTMP byte stream is RC4-encrypted after an RTMPE handshake (rtmpe, rtmpte).</summary>
    public bool UsesRtmpe => Scheme is "rtmpe" or "rtmpte";

    /// <summary>The tunnel's base address (http or https), for the tunnelled schemes.</summary>
    public Uri TunnelBase => new($"{(UsesTls ? "https" : "http")}://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/");

    /// <summary>The tcUrl sent in connect: the URL up to and including the application.</summary>
    public string TcUrl => $"{Scheme}://{(Host.Contains(':') ? $"[{Host}]" : Host)}{(Port == DefaultPort(Scheme) ? "" : $":{Port}")}/{App}";

    private static int DefaultPort(string scheme) => scheme switch
    {
        "rtmps" or "rtmpts" => 443,
        "rtmpt" or "rtmpte" => 80,
        _ => DefaultRtmpPort,
    };

    /// <summary>The URL with the stream name hidden: stream names are keys, and keys stay out of logs.</summary>
    public string Redacted => $"{TcUrl}/{(StreamName.Length <= 4 ? "****" : StreamName[..2] + "****")}";

    public static string Expand(string template, string app, string stream) =>
        template.Replace("{app}", app, StringComparison.Ordinal).Replace("{stream}", stream, StringComparison.Ordinal);

    public static bool TryParse(string url, out DestinationUrl parsed, out string error)
    {
        parsed = null!;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = "not an absolute URL (expected rtmp://host/app/stream)";
            return false;
        }
        var scheme = url[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("rtmp" or "rtmps" or "rtmpe" or "rtmpt" or "rtmpte" or "rtmpts"))
        {
            error = $"scheme '{scheme}' is not supported (supported: rtmp, rtmps, rtmpe, rtmpt, rtmpte, rtmpts)";
            return false;
        }
        var rest = url[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            error = "no host, or no application and stream name";
            return false;
        }
        if (!TryParseAuthority(rest[..slash], DefaultPort(scheme), out var host, out var port))
        {
            error = $"invalid host or port '{rest[..slash]}'";
            return false;
        }
        var path = rest[(slash + 1)..];
        var query = path.IndexOf('?');
        var pathOnly = query < 0 ? path : path[..query];
        var lastSlash = pathOnly.TrimEnd('/').LastIndexOf('/');
        if (lastSlash <= 0)
        {
            error = "the path needs an application and a stream name (rtmp://host/app/stream)";
            return false;
        }
        var app = path[..lastSlash];
        var stream = path[(lastSlash + 1)..];
        if (stream.Length == 0 || stream.StartsWith('?'))
        {
            error = "empty stream name";
            return false;
        }
        parsed = new DestinationUrl(scheme, host, port, app, stream);
        error = "";
        return true;
    }

    private static bool TryParseAuthority(string authority, int defaultPort, out string host, out int port)
    {
        port = defaultPort;
        host = authority;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            host = authority[1..close];
            var after = authority[(close + 1)..];
            return after.Length == 0 || (after[0] == ':' && int.TryParse(after[1..], out port) && port is > 0 and < 65536);
        }
        var colon = authority.LastIndexOf(':');
        if (colon >= 0)
        {
            host = authority[..colon];
            if (!int.TryParse(authority[(colon + 1)..], out port) || port is <= 0 or >= 65536)
            {
                return false;
            }
        }
        return host.Length > 0;
    }
}

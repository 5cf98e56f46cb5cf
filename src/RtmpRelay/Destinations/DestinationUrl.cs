namespace RtmpRelay.Destinations;

/// <summary>
/// A destination URL split the way an encoder splits it: rtmp://host[:port]/app[/more]/stream[?query].
/// </summary>
/// <remarks>
/// <para>
/// The path (everything after the authority's '/') is split by one of two rules, chosen by where its first '?' is:
/// </para>
/// <list type="number">
/// <item><description>
/// Application query: the first '?' comes after at least one character and before the first '/' (so it is inside
/// the first path segment), a '/' follows it, and the text between that '?' and that next '/' contains '='. Then the
/// application is the path up to (not including) that '/', query included, and the stream name is everything after
/// it, taken verbatim ('/' and '?' included); it must not be empty or start with '?'. This is YouTube's backup ingest:
/// <c>rtmps://b.rtmps.youtube.com:443/live2?backup=1/KEY</c> has App <c>live2?backup=1</c>, StreamName <c>KEY</c> and
/// TcUrl <c>rtmps://b.rtmps.youtube.com/live2?backup=1</c>. An application query is recognised only on a one-segment
/// application: in <c>app/stream?a=b/c</c> the '?' is in a later segment, so rule 2 applies.
/// </description></item>
/// <item><description>
/// Otherwise (the rule for every other URL): the last path segment before the first '?', together with everything
/// from that '?' on ('/' included), is the stream name; the path before that segment is the application, which may
/// have several segments. So <c>rtmp://host/app/stream?key=secret&amp;token=a/b</c> has App <c>app</c> and StreamName
/// <c>stream?key=secret&amp;token=a/b</c>: a query in the last segment is part of the stream name.
/// </description></item>
/// </list>
/// <para>
/// Rule 1 only gives a meaning to paths that rule 2 rejects (a '?' in the first segment leaves rule 2 without a stream
/// name), so every URL that rule 2 accepts splits as it always did. Nothing is percent-decoded: the stream name is
/// sent in publish exactly as written.
/// </para>
/// </remarks>
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
    public string Redacted => $"{Authorization.StreamName.Redact(TcUrl)}/{(StreamName.Length <= 4 ? "****" : StreamName[..2] + "****")}";

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
        if (!TrySplitPath(path, out var app, out var stream))
        {
            error = "the path needs an application and a stream name (rtmp://host/app/stream)";
            return false;
        }
        if (stream.Length == 0 || stream.StartsWith('?'))
        {
            error = "empty stream name";
            return false;
        }
        parsed = new DestinationUrl(scheme, host, port, app, stream);
        error = "";
        return true;
    }

    /// <summary>Splits the path into application and stream name by the two rules in the type's remarks.</summary>
    private static bool TrySplitPath(string path, out string app, out string stream)
    {
        var query = path.IndexOf('?');
        var firstSlash = path.IndexOf('/');
        if (query > 0 && (firstSlash < 0 || query < firstSlash))
        {
            // Rule 1: the query belongs to a one-segment application (live2?backup=1/KEY).
            var appEnd = path.IndexOf('/', query);
            if (appEnd > 0 && path.AsSpan(query + 1, appEnd - query - 1).Contains('='))
            {
                app = path[..appEnd];
                stream = path[(appEnd + 1)..];
                return true;
            }
        }
        // Rule 2: the last segment before the first '?', with the query, is the stream name.
        var pathOnly = query < 0 ? path : path[..query];
        var lastSlash = pathOnly.TrimEnd('/').LastIndexOf('/');
        if (lastSlash <= 0)
        {
            app = "";
            stream = "";
            return false;
        }
        app = path[..lastSlash];
        stream = path[(lastSlash + 1)..];
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

using System.Globalization;
using System.Text.Json;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// An authorization callback service on an <see cref="NginxHttp"/>: <see cref="Allow"/> answers 200 with no body,
/// <see cref="Deny"/> 403, <see cref="Rename"/> 200 with <c>{"name":"renamed"}</c> (application/json). nginx only reads
/// (and can log) a request body it passes on, so each of the three proxies to itself (/answer/...), where the answer
/// is a plain <c>return</c>; the outer request is logged, with the body the relay sent, to callbacks.log
/// (<see cref="Requests"/>), and like every request to access.log (<c>POST /allow 200 upstream=...</c>).
/// </summary>
internal static class AuthCallbackSite
{
    public const string Allow = "/allow";
    public const string Deny = "/deny";
    public const string Rename = "/rename";

    /// <summary>The stream name <see cref="Rename"/> answers.</summary>
    public const string RenamedTo = "renamed";

    public const string LogFileName = "callbacks.log";

    /// <summary>The http block's part: the callback log's format, one JSON object a line.</summary>
    public const string HttpBody =
        """log_format callback escape=json '{"method":"$request_method","uri":"$request_uri","status":"$status","body":"$request_body"}';""";

    /// <summary>The server block's body for the nginx with prefix <paramref name="prefix"/>.</summary>
    public static string ServerBody(string prefix)
    {
        var logs = Path.Combine(prefix, "logs");
        string Proxied(string path) =>
            $"location = {path} {{ access_log {Path.Combine(logs, "access.log")} upstream; access_log {Path.Combine(logs, LogFileName)} callback; " +
            $"proxy_pass http://127.0.0.1:$server_port/answer{path}; }}";

        return $$"""
            {{Proxied(Allow)}}
            {{Proxied(Deny)}}
            {{Proxied(Rename)}}
            location = /answer{{Allow}} { return 200; }
            location = /answer{{Deny}} { return 403; }
            location = /answer{{Rename}} { default_type application/json; return 200 '{"name":"{{RenamedTo}}"}'; }
            """;
    }

    /// <summary>http://127.0.0.1:PORT/PATH on <paramref name="site"/>, for Publish:Callback:Url or Play:Callback:Url.</summary>
    public static string Url(NginxHttp site, string path) => new Uri(site.BaseAddress, path).ToString();

    /// <summary>The requests made to <see cref="Allow"/>, <see cref="Deny"/> and <see cref="Rename"/> so far, in order.</summary>
    public static IReadOnlyList<CallbackRequest> Requests(NginxHttp site)
    {
        var requests = new List<CallbackRequest>();
        foreach (var line in ReadLines(Path.Combine(site.Prefix, "logs", LogFileName)))
        {
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            requests.Add(new CallbackRequest(
                root.GetProperty("method").GetString() ?? "",
                root.GetProperty("uri").GetString() ?? "",
                int.Parse(root.GetProperty("status").GetString() ?? "0", NumberStyles.None, CultureInfo.InvariantCulture),
                root.GetProperty("body").GetString() ?? ""));
        }

        return requests;
    }

    /// <summary>The site's requests and logs, for failure messages.</summary>
    public static string Describe(NginxHttp site) =>
        $"--- {site.Name} {LogFileName} ---\n{string.Join('\n', Requests(site))}\n{site.Describe()}";

    private static IEnumerable<string> ReadLines(string path)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (IOException)
        {
            return [];
        }

        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

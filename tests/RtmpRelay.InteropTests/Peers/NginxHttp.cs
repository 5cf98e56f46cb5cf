using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// A private nginx serving HTTP only (no RTMP module): a web site behind the relay's front door, or a round-robin load
/// balancer in front of several relays' RTMPT endpoints. Own prefix folder and generated nginx.conf, in the
/// foreground (daemon off, master_process off), one server on a free 127.0.0.1 port, temp folders and logs inside
/// the prefix. The access log names the upstream that served each request (<c>upstream=ADDRESS</c>).
/// </summary>
internal sealed class NginxHttp : IDisposable
{
    private readonly ManagedProcess _process;

    private NginxHttp(string name, string prefix, int port, ManagedProcess process)
    {
        Name = name;
        Prefix = prefix;
        Port = port;
        _process = process;
    }

    public string Name { get; }

    /// <summary>The prefix folder: nginx.conf, logs/, www/ (the document root of <see cref="StaticSite"/>).</summary>
    public string Prefix { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string AccessLogPath => Path.Combine(Prefix, "logs", "access.log");

    public string ErrorLogPath => Path.Combine(Prefix, "logs", "error.log");

    /// <summary>A server block body serving the files of PREFIX/www.</summary>
    public static string StaticSite(string prefix) => $"location / {{ root {Path.Combine(prefix, "www")}; }}";

    /// <summary>
    /// An upstream "relays" of <paramref name="ports"/> on 127.0.0.1 (nginx's default: round-robin, no affinity) and
    /// the server block body that proxies every request to it over HTTP/1.1.
    /// </summary>
    public static (string Http, string Server) RoundRobin(IEnumerable<int> ports) =>
        ($"upstream relays {{ {string.Concat(ports.Select(p => $"server 127.0.0.1:{p}; "))}}}",
         "location / { proxy_pass http://relays; proxy_http_version 1.1; proxy_set_header Connection \"\"; }");

    public static string Config(string prefix, int port, string httpBody, string serverBody) => $$"""
        {{NginxConfig.Process(prefix)}}

        http {
            log_format upstream '$request_method $request_uri $status upstream=$upstream_addr';
            access_log {{Path.Combine(prefix, "logs", "access.log")}} upstream;
            client_body_temp_path {{Path.Combine(prefix, "temp", "body")}};
            proxy_temp_path {{Path.Combine(prefix, "temp", "proxy")}};
            fastcgi_temp_path {{Path.Combine(prefix, "temp", "fastcgi")}};
            uwsgi_temp_path {{Path.Combine(prefix, "temp", "uwsgi")}};
            scgi_temp_path {{Path.Combine(prefix, "temp", "scgi")}};
            {{httpBody}}
            server {
                listen 127.0.0.1:{{port}};
                {{serverBody}}
            }
        }
        """;

    /// <summary>
    /// Starts nginx in a new folder under <paramref name="workDirectory"/> with <paramref name="httpBody"/> in its http
    /// block and <paramref name="serverBody"/> (given the prefix) in its one server block; waits (bounded) until its port
    /// accepts connections. <paramref name="prepare"/> runs on the prefix before the start (e.g. to write www/ files).
    /// </summary>
    public static async Task<NginxHttp> StartAsync(string workDirectory, string name, string httpBody, Func<string, string> serverBody, Action<string>? prepare = null)
    {
        var nginx = PeerBinaries.Nginx;
        var failures = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var prefix = Path.Combine(workDirectory, attempt == 0 ? name : $"{name}-{attempt}");
            Directory.CreateDirectory(Path.Combine(prefix, "logs"));
            Directory.CreateDirectory(Path.Combine(prefix, "temp"));
            Directory.CreateDirectory(Path.Combine(prefix, "www"));
            prepare?.Invoke(prefix);
            var port = FreePort.Next();
            var configPath = Path.Combine(prefix, "nginx.conf");
            await File.WriteAllTextAsync(configPath, Config(prefix, port, httpBody, serverBody(prefix)));

            var process = ManagedProcess.Start(
                name,
                nginx,
                ["-p", prefix + "/", "-c", configPath, "-e", Path.Combine(prefix, "logs", "error.log")],
                prefix,
                Path.Combine(prefix, "logs", "stdout.log"));
            if (await TcpProbe.WaitUntilAcceptingAsync(port, TimeSpan.FromSeconds(10), () => process.HasExited))
            {
                return new NginxHttp(name, prefix, port, process);
            }

            process.Dispose();
            failures.Add($"{process.Describe()}\n{ReadLog(Path.Combine(prefix, "logs", "error.log"))}");
        }

        throw new InvalidOperationException($"nginx (http) did not start listening:\n{string.Join("\n", failures)}");
    }

    /// <summary>The access log's lines so far.</summary>
    public IReadOnlyList<string> AccessLog() =>
        ReadLog(AccessLogPath).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string Describe() =>
        $"{_process.Describe(50)}\n--- {Name} error.log ---\n{ManagedProcess.Tail(ReadLog(ErrorLogPath), 40)}" +
        $"--- {Name} access.log ---\n{ManagedProcess.Tail(ReadLog(AccessLogPath), 40)}";

    public void Dispose() => _process.Dispose();

    private static string ReadLog(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }
}

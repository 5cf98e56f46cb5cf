using System.Diagnostics;
using System.Text.RegularExpressions;
using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// A private nginx with the RTMP module, as the destination the relay pushes to: its own prefix folder and
/// generated nginx.conf, in the foreground (daemon off, master_process off: one process to kill), listening on a free
/// 127.0.0.1 port, no http block. Its application "live" records every stream it receives, whole, to
/// <see cref="RecordingPath"/> (record all, record_unique off). Optionally a real RTMPS front: the stream module
/// terminating TLS on a second port (<see cref="TlsPort"/>) and passing the bytes on to the RTMP port, which is how
/// RTMPS platforms are commonly built.
/// </summary>
internal sealed partial class NginxRtmp : IDisposable
{
    private readonly ManagedProcess _process;

    /// <summary>The stream (TCP proxy) dynamic module as Debian installs it, for the TLS front.</summary>
    public const string StreamModulePath = "/usr/lib/nginx/modules/ngx_stream_module.so";

    private NginxRtmp(string name, string prefix, int port, int? tlsPort, ManagedProcess process)
    {
        Name = name;
        Prefix = prefix;
        Port = port;
        TlsPort = tlsPort;
        _process = process;
    }

    /// <summary>The RTMPS front's port (TLS, proxied to <see cref="Port"/>), when started with one.</summary>
    public int? TlsPort { get; }

    /// <summary>rtmps://127.0.0.1:TLSPORT/live/STREAM, through the TLS front.</summary>
    public string RtmpsUrl(string streamName) =>
        $"rtmps://127.0.0.1:{TlsPort ?? throw new InvalidOperationException($"{Name} has no TLS front.")}/live/{streamName}";

    public string Name { get; }

    /// <summary>The prefix folder: nginx.conf, logs/, recordings/.</summary>
    public string Prefix { get; }

    public int Port { get; }

    public string RecordDirectory => Path.Combine(Prefix, "recordings");

    public string ErrorLogPath => Path.Combine(Prefix, "logs", "error.log");

    public bool HasExited => _process.HasExited;

    /// <summary>The file nginx-rtmp records stream <paramref name="streamName"/> of application live to.</summary>
    public string RecordingPath(string streamName) => Path.Combine(RecordDirectory, streamName + ".flv");

    /// <summary>rtmp://127.0.0.1:PORT/live/STREAM.</summary>
    public string Url(string streamName) => $"rtmp://127.0.0.1:{Port}/live/{streamName}";

    public static string Config(string prefix, int port) => Config(prefix, port, null, null);

    /// <summary>The configuration, with a TLS front on <paramref name="tlsPort"/> when <paramref name="tls"/> is given.</summary>
    public static string Config(string prefix, int port, PemCertificate? tls, int? tlsPort) => $$"""
        load_module {{PeerBinaries.NginxRtmpModulePath}};
        {{(tls is null ? "" : $"load_module {StreamModulePath};")}}
        {{NginxConfig.Process(prefix)}}

        rtmp {
            server {
                listen 127.0.0.1:{{port}};
                chunk_size 4096;
                application live {
                    live on;
                    record all;
                    record_path {{Path.Combine(prefix, "recordings")}};
                    record_unique off;
                }
            }
        }
        {{(tls is null ? "" : TlsFrontConfig(tls, tlsPort!.Value, port))}}
        """;

    private static string TlsFrontConfig(PemCertificate tls, int tlsPort, int port) => $$"""

        stream {
            server {
                listen 127.0.0.1:{{tlsPort}} ssl;
                ssl_certificate {{tls.CertificatePath}};
                ssl_certificate_key {{tls.KeyPath}};
                ssl_protocols TLSv1.2 TLSv1.3;
                proxy_pass 127.0.0.1:{{port}};
            }
        }
        """;

    /// <summary>
    /// Starts nginx in a new folder under <paramref name="workDirectory"/> and waits (bounded) until its port (and its
    /// TLS front's, with <paramref name="tls"/>) accepts connections.
    /// </summary>
    public static async Task<NginxRtmp> StartAsync(string workDirectory, string name = "nginx", PemCertificate? tls = null)
    {
        var nginx = PeerBinaries.NginxWithRtmp;
        if (tls is not null && !File.Exists(StreamModulePath))
        {
            throw new PeerNotFoundException($"nginx stream module ({StreamModulePath}) not found: install libnginx-mod-stream.");
        }

        var failures = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var prefix = Path.Combine(workDirectory, attempt == 0 ? name : $"{name}-{attempt}");
            Directory.CreateDirectory(Path.Combine(prefix, "logs"));
            Directory.CreateDirectory(Path.Combine(prefix, "recordings"));
            var port = FreePort.Next();
            int? tlsPort = tls is null ? null : FreePort.Next();
            var configPath = Path.Combine(prefix, "nginx.conf");
            await File.WriteAllTextAsync(configPath, Config(prefix, port, tls, tlsPort));

            var process = ManagedProcess.Start(
                name,
                nginx,
                ["-p", prefix + "/", "-c", configPath, "-e", Path.Combine(prefix, "logs", "error.log")],
                prefix,
                Path.Combine(prefix, "logs", "stdout.log"));
            if (await TcpProbe.WaitUntilAcceptingAsync(port, TimeSpan.FromSeconds(10), () => process.HasExited) &&
                (tlsPort is not { } front || await TcpProbe.WaitUntilAcceptingAsync(front, TimeSpan.FromSeconds(5), () => process.HasExited)))
            {
                return new NginxRtmp(name, prefix, port, tlsPort, process);
            }

            // Most likely the port was taken between FreePort and nginx's bind: try another one.
            process.Dispose();
            failures.Add($"{process.Describe()}\n{ReadLog(Path.Combine(prefix, "logs", "error.log"))}");
        }

        throw new InvalidOperationException($"nginx-rtmp did not start listening:\n{string.Join("\n", failures)}");
    }

    /// <summary>Kills nginx at once (SIGKILL), as a destination dying mid-stream.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Waits (bounded) until the recording of <paramref name="streamName"/> is complete: it exists and nginx has closed
    /// it (the publishing connection, the relay's destination, has ended), or its size has not changed for
    /// <paramref name="quietPeriod"/> (a relay that keeps the destination connected). False on timeout.
    /// </summary>
    public async Task<bool> WaitForRecordingAsync(string streamName, TimeSpan timeout, TimeSpan? quietPeriod = null)
    {
        var quiet = quietPeriod ?? TimeSpan.FromSeconds(1.5);
        var path = RecordingPath(streamName);
        var clock = Stopwatch.StartNew();
        long lastSize = -1;
        var lastChange = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (File.Exists(path))
            {
                var size = new FileInfo(path).Length;
                if (size != lastSize)
                {
                    lastSize = size;
                    lastChange.Restart();
                }

                if (size > 0 && (!IsOpenByNginx(path) || lastChange.Elapsed >= quiet))
                {
                    return true;
                }
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>nginx's error log so far: connections, publishes, record opens and closes at level info.</summary>
    public string ErrorLog => ReadLog(ErrorLogPath);

    /// <summary>How many times a client started publishing <paramref name="streamName"/> (nginx logs "publish: name='NAME'" for each).</summary>
    public int PublishCount(string streamName)
    {
        var needle = $"publish: name='{streamName}'";
        return ErrorLog.Split('\n').Count(l => l.Contains(needle, StringComparison.Ordinal));
    }

    /// <summary>
    /// Whether the connection that published <paramref name="streamName"/> (the first one, when several did) ended the
    /// publish itself before it disconnected: nginx logs "deleteStream" for the client's deleteStream command, and logs
    /// it again after "disconnect" when it cleans up a connection that just went away. True when a deleteStream comes
    /// before the disconnect, false when the disconnect comes first, null when no such publish ended yet.
    /// </summary>
    public bool? PublishEndedBeforeDisconnect(string streamName)
    {
        var lines = ErrorLog.Split('\n');
        var needle = $"publish: name='{streamName}'";
        var publish = Array.FindIndex(lines, l => l.Contains(needle, StringComparison.Ordinal));
        if (publish < 0 || ConnectionNumber().Match(lines[publish]) is not { Success: true } number)
        {
            return null;
        }

        var connection = number.Value;
        for (var i = publish + 1; i < lines.Length; i++)
        {
            if (lines[i].Contains(connection + " deleteStream", StringComparison.Ordinal))
            {
                return true;
            }

            if (lines[i].Contains(connection + " disconnect", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return null;
    }

    /// <summary>nginx's error log (connections, publishes, record opens and closes at level info), for failure messages.</summary>
    public string Describe() => $"{_process.Describe(50)}\n--- {Name} error.log ---\n{ManagedProcess.Tail(ReadLog(ErrorLogPath), 60)}";

    public void Dispose() => _process.Dispose();

    private bool IsOpenByNginx(string path)
    {
        if (_process.HasExited)
        {
            return false;
        }

        try
        {
            var fullPath = Path.GetFullPath(path);
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{_process.Id}/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == fullPath)
                    {
                        return true;
                    }
                }
                catch (IOException)
                {
                    // The descriptor closed while we looked.
                }
            }

            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: fall back to the quiet period alone.
            return true;
        }
    }

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
            return "(no error.log)";
        }
    }

    // "*12 " in "[info] 5276#5276: *12 publish: name='x' ...": nginx's number for the connection.
    [GeneratedRegex(@"\*\d+(?= )", RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionNumber();
}

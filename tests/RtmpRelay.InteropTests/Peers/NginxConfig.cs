namespace RtmpRelay.InteropTests.Peers;

/// <summary>What every private nginx the tests start shares: in the foreground, one process, files in its prefix.</summary>
internal static class NginxConfig
{
    public static string Process(string prefix) => $$"""
        daemon off;
        master_process off;
        user root;
        worker_processes 1;
        pid {{Path.Combine(prefix, "nginx.pid")}};
        error_log {{Path.Combine(prefix, "logs", "error.log")}} info;

        events {
            worker_connections 256;
        }
        """;
}

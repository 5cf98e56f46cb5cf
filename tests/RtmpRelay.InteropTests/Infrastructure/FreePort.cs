using System.Net;
using System.Net.Sockets;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1: bind port 0, read the port the kernel chose, release it.</summary>
internal static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A port that was free a moment ago and has not been handed out before in this test run.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            lock (Handed)
            {
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("No free TCP port found on 127.0.0.1.");
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>Waits, bounded, until something accepts TCP connections on a loopback port.</summary>
internal static class TcpProbe
{
    /// <summary>True when a TCP connection to 127.0.0.1:<paramref name="port"/> succeeds right now.</summary>
    public static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Polls until the port accepts a connection (true), <paramref name="giveUp"/> says the server is gone (false), or
    /// <paramref name="timeout"/> passes (false).
    /// </summary>
    public static async Task<bool> WaitUntilAcceptingAsync(int port, TimeSpan timeout, Func<bool>? giveUp = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await AcceptsAsync(port).ConfigureAwait(false))
            {
                return true;
            }

            if (giveUp?.Invoke() == true)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return false;
    }
}

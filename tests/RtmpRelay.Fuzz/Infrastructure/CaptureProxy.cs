using System.Net;
using System.Net.Sockets;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// A recording TCP proxy for seeds from real peers: each connection to 127.0.0.1:port is relayed to host:port, and
/// its two directions are written to folder/NNN.c2s (client to server) and NNN.s2c when it ends.
/// </summary>
internal static class CaptureProxy
{
    public static async Task<int> RunAsync(string[] args)
    {
        var colon = args.Length < 3 ? -1 : args[1].LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(args[0], out var port))
        {
            Console.Error.WriteLine("usage: capture <listen port> <upstream host:port> <folder> [connections]");
            return 2;
        }
        var host = args[1][..colon];
        var upstreamPort = int.Parse(args[1][(colon + 1)..]);
        var folder = args[2];
        var limit = args.Length > 3 ? int.Parse(args[3]) : int.MaxValue;
        Directory.CreateDirectory(folder);
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Console.WriteLine($"capturing 127.0.0.1:{port} -> {host}:{upstreamPort} into {folder}");
        var running = new List<Task>();
        for (var n = 1; n <= limit; n++)
        {
            var client = await listener.AcceptTcpClientAsync();
            running.Add(RelayAsync(client, host, upstreamPort, Path.Combine(folder, $"{n:000}")));
        }
        await Task.WhenAll(running);
        return 0;
    }

    private static async Task RelayAsync(TcpClient client, string host, int port, string prefix)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(host, port);
            }
            catch (SocketException ex)
            {
                Console.WriteLine($"{prefix}: upstream refused: {ex.Message}");
                return;
            }
            var toServer = new MemoryStream();
            var toClient = new MemoryStream();
            var up = PumpAsync(client.GetStream(), upstream.GetStream(), toServer, upstream.Client);
            var down = PumpAsync(upstream.GetStream(), client.GetStream(), toClient, client.Client);
            await Task.WhenAll(up, down);
            await File.WriteAllBytesAsync(prefix + ".c2s", toServer.ToArray());
            await File.WriteAllBytesAsync(prefix + ".s2c", toClient.ToArray());
            Console.WriteLine($"{prefix}: {toServer.Length} bytes up, {toClient.Length} down");
        }
    }

    private static async Task PumpAsync(Stream from, Stream to, MemoryStream record, Socket toSocket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                record.Write(buffer, 0, read);
                await to.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (IOException)
        {
        }
        try
        {
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

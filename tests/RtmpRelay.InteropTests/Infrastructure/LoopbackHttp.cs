using System.Net;
using System.Net.Sockets;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// HttpClients for talking to the relay's HTTP side (RTMPT, the front door) directly from a test: no proxy, no
/// redirects, bounded timeouts, and optionally a chosen local loopback address (e.g. 127.0.0.2, so the relay sees a
/// second client: Linux routes all of 127.0.0.0/8 to the loopback interface).
/// </summary>
internal static class LoopbackHttp
{
    /// <summary>The RTMPT content type clients send.</summary>
    public const string RtmptContentType = "application/x-fcs";

    public static HttpClient Create(IPAddress? localAddress = null, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (localAddress is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(10) };
    }

    /// <summary>POST <paramref name="path"/> with <paramref name="body"/> as an RTMPT request (Content-Type application/x-fcs).</summary>
    public static async Task<HttpResponseMessage> PostRtmptAsync(this HttpClient client, Uri baseAddress, string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(RtmptContentType);
        return await client.PostAsync(new Uri(baseAddress, path), content).ConfigureAwait(false);
    }

    /// <summary>POST /open/1 (one zero byte, as ffmpeg and librtmp send); the session id on 200, else null.</summary>
    public static async Task<(HttpStatusCode Status, string? SessionId)> OpenRtmptSessionAsync(this HttpClient client, Uri baseAddress)
    {
        using var response = await client.PostRtmptAsync(baseAddress, "open/1", [0]).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? text.Trim() : null);
    }
}

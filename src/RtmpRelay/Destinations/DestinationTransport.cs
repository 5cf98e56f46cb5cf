using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RtmpRelay.Core;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Protocol;
using RtmpRelay.Transports.Rtmpt;

namespace RtmpRelay.Destinations;

/// <summary>
/// The byte stream to a destination, by scheme: TCP (rtmp, rtmpe), TLS (rtmps), or an HTTP(S) tunnel (rtmpt, rtmpte,
/// rtmpts). What runs on top (handshake, RTMPE layer, the core) is the same for all.
/// </summary>
internal sealed class DestinationTransport : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;

    private DestinationTransport(IDuplexPipe pipe, Func<ValueTask> dispose)
    {
        Pipe = pipe;
        _dispose = dispose;
    }

    public IDuplexPipe Pipe { get; }

    public static async Task<DestinationTransport> ConnectAsync(DestinationUrl url, DestinationOptions destination, string stream, string name,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (url.UsesTls && destination.AllowInvalidCertificate)
        {
            TlsLog.ValidationDisabled(logger, stream, name);
        }
        try
        {
            return url.UsesTunnel
                ? await ConnectTunnelAsync(url, destination, time, cancellationToken)
                : await ConnectStreamAsync(url, destination, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new RtmpProtocolException($"connecting to {url.Host}:{url.Port} timed out");
        }
        catch (HttpRequestException ex)
        {
            throw new RtmpProtocolException($"RTMPT open at {url.TunnelBase} failed: {ex.Message}");
        }
    }

    private static async Task<DestinationTransport> ConnectStreamAsync(DestinationUrl url, DestinationOptions destination, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(url.Host, url.Port, cancellationToken);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (url.UsesTls)
            {
                stream = await DestinationTls.AuthenticateAsync(stream, url, destination, cancellationToken);
            }
            return new DestinationTransport(new StreamDuplexPipe(stream), () => CloseGracefullyAsync(socket, stream));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<DestinationTransport> ConnectTunnelAsync(DestinationUrl url, DestinationOptions destination, TimeProvider time, CancellationToken cancellationToken)
    {
        var pin = DestinationTls.NormalizeFingerprint(destination.CertificateFingerprint);
        string? failure = null;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            MaxConnectionsPerServer = 1,
            SslOptions =
            {
                TargetHost = url.Host,
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    failure = DestinationTls.Validate(certificate, errors, pin, destination.AllowInvalidCertificate);
                    return failure is null;
                },
            },
        };
        var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var tunnel = await RtmptClientTransport.OpenAsync(http, url.TunnelBase, time, cancellationToken);
            return new DestinationTransport(tunnel, async () =>
            {
                await tunnel.DisposeAsync();
                http.Dispose();
            });
        }
        catch (HttpRequestException) when (failure is not null)
        {
            http.Dispose();
            throw new RtmpProtocolException($"TLS certificate of {url.Host} rejected: {failure}");
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Half-closes and reads what the destination still sends until it closes too (bounded), so the last messages
    /// are not answered with a reset: closing a socket with unread bytes makes the kernel send RST.
    /// </summary>
    private static async ValueTask CloseGracefullyAsync(Socket socket, Stream stream)
    {
        try
        {
            if (stream is System.Net.Security.SslStream tls)
            {
                await tls.ShutdownAsync();
            }
            socket.Shutdown(SocketShutdown.Send);
            using var deadline = new CancellationTokenSource(CloseDrainTimeout);
            var sink = new byte[4096];
            while (await socket.ReceiveAsync(sink, SocketFlags.None, deadline.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private static readonly TimeSpan CloseDrainTimeout = TimeSpan.FromSeconds(1);

    public ValueTask DisposeAsync() => _dispose();
}

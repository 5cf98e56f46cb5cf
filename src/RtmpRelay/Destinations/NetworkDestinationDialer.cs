using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using RtmpRelay.Core;
using RtmpRelay.Transports.Rtmpt;

namespace RtmpRelay.Destinations;

/// <summary>
/// The real dialer, by scheme: TCP (rtmp, rtmpe), TLS (rtmps), or an HTTP(S) tunnel (rtmpt, rtmpte, rtmpts). The host
/// name is resolved again on every attempt, so a platform that moves its ingest is followed without a restart.
/// </summary>
internal sealed class NetworkDestinationDialer(TimeProvider time) : IDestinationDialer
{
    private static readonly TimeSpan CloseDrainTimeout = TimeSpan.FromSeconds(1);

    public async Task<DestinationTransport> ConnectAsync(DestinationUrl url, DestinationSpec destination, CancellationToken cancellationToken) =>
        url.UsesTunnel
            ? await ConnectTunnelAsync(url, destination, cancellationToken)
            : await ConnectStreamAsync(url, destination, cancellationToken);

    private static async Task<DestinationTransport> ConnectStreamAsync(DestinationUrl url, DestinationSpec destination, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(url, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            try
            {
                await socket.ConnectAsync(addresses, url.Port, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new DestinationFailureException(ex.SocketErrorCode == SocketError.TimedOut
                    ? new DestinationFailure(DestinationFailureKind.TimedOut, $"connecting to {url.Host}:{url.Port} timed out")
                    : new DestinationFailure(DestinationFailureKind.Refused, ex.SocketErrorCode == SocketError.ConnectionRefused
                        ? $"connection refused by {url.Host}:{url.Port}"
                        : $"cannot connect to {url.Host}:{url.Port}: {ex.SocketErrorCode}"));
            }
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (url.UsesTls)
            {
                stream = await DestinationTls.AuthenticateAsync(stream, url, destination, cancellationToken);
            }
            return new DestinationTransport(new StreamDuplexPipe(stream), () => CloseGracefullyAsync(socket, stream),
                plainSocket: url.UsesTls ? null : socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(DestinationUrl url, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(url.Host, out var literal))
        {
            return [literal];
        }
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(url.Host, cancellationToken);
            return addresses.Length > 0
                ? addresses
                : throw new DestinationFailureException(new DestinationFailure(DestinationFailureKind.Dns, $"{url.Host} has no address"));
        }
        catch (SocketException ex)
        {
            throw new DestinationFailureException(new DestinationFailure(DestinationFailureKind.Dns, $"cannot resolve {url.Host}: {ex.SocketErrorCode}"));
        }
    }

    private async Task<DestinationTransport> ConnectTunnelAsync(DestinationUrl url, DestinationSpec destination, CancellationToken cancellationToken)
    {
        var pin = DestinationTls.NormalizeFingerprint(destination.CertificateFingerprint);
        string? certificateProblem = null;
        // A new handler per attempt: a fresh DNS lookup and connection each time.
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
                    certificateProblem = DestinationTls.Validate(certificate, errors, pin, destination.AllowInvalidCertificate);
                    return certificateProblem is null;
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
        catch (HttpRequestException ex)
        {
            http.Dispose();
            throw new DestinationFailureException(ex.HttpRequestError switch
            {
                _ when certificateProblem is not null => new DestinationFailure(DestinationFailureKind.Tls, $"TLS certificate of {url.Host} rejected: {certificateProblem}"),
                HttpRequestError.NameResolutionError => new DestinationFailure(DestinationFailureKind.Dns, $"cannot resolve {url.Host}"),
                HttpRequestError.SecureConnectionError => new DestinationFailure(DestinationFailureKind.Tls, $"TLS handshake with {url.Host} failed: {ex.Message}"),
                HttpRequestError.ConnectionError => new DestinationFailure(DestinationFailureKind.Refused, $"cannot connect to {url.Host}:{url.Port}: {ex.Message}"),
                _ => new DestinationFailure(DestinationFailureKind.Refused, $"RTMPT open at {url.TunnelBase} failed: {ex.Message}"),
            });
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
}

using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using RtmpRelay.Core;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Streams;
using RtmpRelay.Transports.Rtmpe;
using RtmpRelay.Transports.Tls;
using RtmpRelay.Rtmpe;
using System.IO.Pipelines;

namespace RtmpRelay.Server;

/// <summary>
/// Kestrel's entry point for every RTMP connection, whatever door it came through (TCP, TLS ...): handshake,
/// then the server session on the shared message layer. Never lets an exception reach Kestrel unlogged.
/// </summary>
internal sealed class RtmpConnectionHandler : ConnectionHandler
{
    /// <summary>Set in <see cref="ConnectionContext.Items"/> by endpoints configured with "AllowRtmpe": false.</summary>
    public const string RtmpeRefusedKey = "RtmpRelay.RtmpeRefused";

    private readonly StreamRegistry _registry;
    private readonly RelayConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly ILogger<RtmpConnectionHandler> _logger;

    public RtmpConnectionHandler(StreamRegistry registry, RelayConfiguration configuration, TimeProvider time, ILogger<RtmpConnectionHandler> logger)
    {
        _registry = registry;
        _configuration = configuration;
        _time = time;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext context)
    {
        var id = context.ConnectionId;
        var options = _configuration.Current.Options;
        context.Items[TlsSniffingMiddleware.ReachedRtmpKey] = true;
        ConnectionLog.Accepted(_logger, id, context.RemoteEndPoint?.ToString());
        try
        {
            var rtmpeAllowed = options.Rtmpe.Enabled && !context.Items.ContainsKey(RtmpeRefusedKey);
            var handshake = new ServerHandshake(rtmpeAllowed
                ? new HandshakeOptions { Rtmpe = BouncyCastleRtmpeCrypto.Shared, RtmpeResponse = options.Rtmpe.ServerResponse }
                : null);
            await HandshakeDriver.RunAsync(context.Transport, handshake.TryAdvance, options.Limits.HandshakeTimeout, _time, context.ConnectionClosed);
            ConnectionLog.HandshakeDone(_logger, id, handshake.IsEncrypted ? $"RTMPE ({handshake.SignatureCipher})" : handshake.Kind.ToString(),
                handshake.ClientVersion, handshake.ClientDigestScheme, handshake.ClientSignatureValid);

            // RTMPE: from here on the bytes are RC4 both ways; the layer swaps in under the unchanged core.
            await using var rtmpe = handshake.IsEncrypted ? new EncryptedDuplexPipe(context.Transport, handshake.Decryptor!, handshake.Encryptor!) : null;
            var pumping = rtmpe?.RunAsync();
            await using var connection = new RtmpConnection((IDuplexPipe?)rtmpe ?? context.Transport, id, options, _time, _logger);
            var session = new ServerSession(connection, _registry, options, _logger);
            try
            {
                await connection.RunAsync(session.OnMessage);
            }
            finally
            {
                session.OnClosed();
            }
            if (pumping is not null)
            {
                await pumping.WaitAsync(TimeSpan.FromSeconds(2), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (connection.ClosedOnProtocolError)
            {
                ConnectionLog.ProtocolError(_logger, id, connection.CloseReason);
            }
            else
            {
                ConnectionLog.Closed(_logger, id, connection.CloseReason);
            }
        }
        catch (RtmpProtocolException ex)
        {
            ConnectionLog.ProtocolError(_logger, id, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException)
        {
            ConnectionLog.Closed(_logger, id, $"transport closed: {ex.Message}");
        }
        catch (Exception ex)
        {
            ConnectionLog.Unexpected(_logger, id, ex);
        }
    }
}

using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using RtmpRelay.Admin;
using RtmpRelay.Authorization;
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

    /// <summary>Set in <see cref="ConnectionContext.Items"/> by doors other than TCP and TLS: "rtmpt" or "rtmpts".</summary>
    public const string TransportKey = "RtmpRelay.Transport";

    private readonly StreamRegistry _registry;
    private readonly StreamAuthorizer _authorizer;
    private readonly AuthFailureLimiter? _failures;
    private readonly RelayConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly ILogger<RtmpConnectionHandler> _logger;
    private readonly ConnectionLimiter _limiter;
    private readonly LimitRefusals _refusals;

    public RtmpConnectionHandler(StreamRegistry registry, RelayConfiguration configuration, TimeProvider time, ILogger<RtmpConnectionHandler> logger,
        StreamAuthorizer authorizer, AuthFailureLimiter? failures = null, ConnectionLimiter? limiter = null, LimitRefusals? refusals = null)
    {
        _limiter = limiter ?? new ConnectionLimiter();
        _refusals = refusals ?? new LimitRefusals(time);
        _authorizer = authorizer;
        _failures = failures;
        _registry = registry;
        _configuration = configuration;
        _time = time;
        _logger = logger;
    }

    /// <summary>The handshake_failures metric's reason label: a few fixed words, never text from the peer.</summary>
    private static string HandshakeFailureReason(Exception ex) => ex switch
    {
        RtmpProtocolException p when p.Message.Contains("not completed within", StringComparison.Ordinal) => "timeout",
        RtmpProtocolException p when p.Message.Contains("closed the connection", StringComparison.Ordinal) => "closed",
        RtmpProtocolException p when p.Message.Contains("RTMPE", StringComparison.Ordinal) => "rtmpe",
        RtmpProtocolException => "invalid",
        _ => "closed",
    };

    private static string TransportOf(ConnectionContext context, bool encrypted)
    {
        var door = context.Items.TryGetValue(TransportKey, out var value) && value is string tunnel ? tunnel
            : context.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>() is not null ? "rtmps"
            : "rtmp";
        return !encrypted ? door : door == "rtmpt" ? "rtmpte" : "rtmpe";
    }

    public override async Task OnConnectedAsync(ConnectionContext context)
    {
        var id = context.ConnectionId;
        var snapshot = _configuration.Current;
        var options = snapshot.Options;
        context.Items[TlsSniffingMiddleware.ReachedRtmpKey] = true;
        var address = (context.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
        if (_failures?.IsBanned(address) == true)
        {
            AuthLog.ClosedBanned(_logger, id, address!.ToString());
            return;
        }
        var limits = options.Limits;
        if (!_limiter.TryAcquire(address, limits.MaxConnections, limits.MaxConnectionsPerAddress, out var refused))
        {
            _refusals.Refuse(_logger, address, refused, id, refused == RefusalReason.Connections
                ? $"{limits.MaxConnections} connections are open (Relay:Limits:MaxConnections)"
                : $"{limits.MaxConnectionsPerAddress} connections from this address are open (Relay:Limits:MaxConnectionsPerAddress)");
            return;
        }
        try
        {
            await RunConnectionAsync(context, snapshot, address);
        }
        finally
        {
            _limiter.Release(address);
        }
    }

    private async Task RunConnectionAsync(ConnectionContext context, RelaySnapshot snapshot, System.Net.IPAddress? address)
    {
        var id = context.ConnectionId;
        var options = snapshot.Options;
        ConnectionLog.Accepted(_logger, id, context.RemoteEndPoint?.ToString());
        try
        {
            var rtmpeAllowed = options.Rtmpe.Enabled && !context.Items.ContainsKey(RtmpeRefusedKey);
            var handshake = new ServerHandshake(rtmpeAllowed
                ? new HandshakeOptions { Rtmpe = BouncyCastleRtmpeCrypto.Shared, RtmpeResponse = options.Rtmpe.ServerResponse }
                : null);
            try
            {
                await HandshakeDriver.RunAsync(context.Transport, handshake.TryAdvance, options.Limits.HandshakeTimeout, _time, context.ConnectionClosed);
            }
            catch (Exception ex) when (ex is RtmpProtocolException or IOException or ConnectionResetException or OperationCanceledException)
            {
                RelayMetrics.HandshakeFailed(HandshakeFailureReason(ex));
                throw;
            }
            ConnectionLog.HandshakeDone(_logger, id, handshake.IsEncrypted ? $"RTMPE ({handshake.SignatureCipher})" : handshake.Kind.ToString(),
                handshake.ClientVersion, handshake.ClientDigestScheme, handshake.ClientSignatureValid);

            // RTMPE: from here on the bytes are RC4 both ways; the layer swaps in under the unchanged core.
            await using var rtmpe = handshake.IsEncrypted ? new EncryptedDuplexPipe(context.Transport, handshake.Decryptor!, handshake.Encryptor!) : null;
            var pumping = rtmpe?.RunAsync();
            // A player that takes no bytes for WriteStallTimeout (a frozen process) is dropped; it holds nothing meanwhile
            // but its own bounded queue, and the publisher and the other peers never wait for it.
            await using var connection = new RtmpConnection((IDuplexPipe?)rtmpe ?? context.Transport, id, options, _time, _logger)
            {
                WriteStallTimeout = options.Limits.WriteStallTimeout,
            };
            var transport = TransportOf(context, handshake.IsEncrypted);
            var session = new ServerSession(connection, _registry, snapshot, new ClientInfo(address, transport), _authorizer, _failures, _logger, _refusals);
            RelayMetrics.Connected(transport);
            try
            {
                await connection.RunAsync(session.OnMessageAsync);
            }
            finally
            {
                session.OnClosed();
                RelayMetrics.Disconnected(transport);
            }
            if (pumping is not null)
            {
                await pumping.WaitAsync(TimeSpan.FromSeconds(2), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (connection.WriteStalled)
            {
                RelayMetrics.SlowPeerDropped(connection.CloseReason.StartsWith("too slow", StringComparison.Ordinal) ? "too_slow" : "write_stall");
            }
            if (connection.LimitExceeded is { } limit)
            {
                _refusals.Refuse(_logger, address, limit == "MaxChunkStreams" ? RefusalReason.ChunkStreams : RefusalReason.MessageSize, id,
                    $"{connection.CloseReason} (Relay:Limits:{limit})");
                ConnectionLog.ClosedOnLimit(_logger, id, connection.CloseReason);
            }
            else if (connection.ClosedOnProtocolError)
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

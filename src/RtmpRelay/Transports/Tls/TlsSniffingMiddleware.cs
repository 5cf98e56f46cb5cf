using Microsoft.AspNetCore.Connections;
using RtmpRelay.Logging;

namespace RtmpRelay.Transports.Tls;

/// <summary>
/// Sits in front of Kestrel's TLS on an RTMPS endpoint. Peeks (does not consume) the first byte: a client that
/// sends plain RTMP or anything but a TLS record, or nothing at all within the handshake timeout, is dropped
/// with a clear reason instead of a bare TLS failure. Also reports connections whose TLS handshake failed. Every such
/// drop is logged at Debug and counted in <see cref="DroppedConnections.Shared"/> (a summary at Information once a minute).
/// </summary>
internal sealed class TlsSniffingMiddleware
{
    /// <summary>Set in <see cref="ConnectionContext.Items"/> by the RTMP handler, so a TLS failure can be told apart.</summary>
    public const string ReachedRtmpKey = "RtmpRelay.ReachedRtmp";
    private const byte TlsHandshakeRecord = 0x16;

    private readonly ConnectionDelegate _next;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TlsSniffingMiddleware(ConnectionDelegate next, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _next = next;
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var input = context.Transport.Input;
        using var deadline = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.ConnectionClosed);
        byte first;
        try
        {
            var result = await input.ReadAsync(linked.Token);
            if (result.Buffer.IsEmpty)
            {
                input.AdvanceTo(result.Buffer.Start);
                Drop(context, DropReason.Closed, "closed before sending anything");
                return;
            }
            first = result.Buffer.FirstSpan[0];
            input.AdvanceTo(result.Buffer.Start); // nothing examined: TLS reads the same bytes
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Drop(context, DropReason.TimedOut, $"no TLS ClientHello within {_timeout.TotalSeconds:0.#} s");
            return;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException)
        {
            Drop(context, DropReason.Closed, "closed before sending anything");
            return;
        }
        if (first != TlsHandshakeRecord)
        {
            Drop(context, DropReason.NotTls, first == 0x03
                ? "plain RTMP (C0 = 0x03) sent to the RTMPS endpoint"
                : $"not TLS: first byte 0x{first:x2}");
            return;
        }
        await _next(context);
        if (!context.Items.ContainsKey(ReachedRtmpKey))
        {
            Drop(context, DropReason.TlsFailed, "TLS handshake failed or timed out (Kestrel's Https log, at Debug, has the detail)");
        }
    }

    private void Drop(ConnectionContext context, DropReason reason, string text)
    {
        DroppedConnections.Shared.Record(reason, _logger);
        TlsLog.Dropped(_logger, context.ConnectionId, text);
    }
}

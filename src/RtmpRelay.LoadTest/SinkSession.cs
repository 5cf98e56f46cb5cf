using System.Diagnostics;
using System.Net.Sockets;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.LoadTest;

/// <summary>
/// One connection the relay under test made to a counting sink: the server side of handshake, connect,
/// createStream and publish, as a streaming platform answers them; then it counts what arrives and records the
/// latency of every stamped frame. Nothing is kept: each message is released as soon as it is counted.
/// </summary>
internal sealed class SinkSession
{
    private const uint WindowSize = 2_500_000;

    private readonly RtmpChannel _channel;
    private readonly long[] _measuredReceived;
    private readonly LatencyHistogram _latency = new();
    private long _messages;

    public SinkSession(Socket socket, int publishers)
    {
        _channel = RtmpChannel.FromAccepted(socket);
        _measuredReceived = new long[publishers];
    }

    /// <summary>The stream name the relay published under (for the report; frames are attributed by their stamp).</summary>
    public string? StreamName { get; private set; }

    public string? Error { get; private set; }

    public long BytesReceived => _channel.BytesReceived;

    public long Messages => Volatile.Read(ref _messages);

    public LatencyHistogram Latency => _latency;

    /// <summary>Stamped frames of publisher <paramref name="publisher"/> received that were sent inside the window.</summary>
    public long MeasuredReceived(int publisher) => Volatile.Read(ref _measuredReceived[publisher]);

    public async Task RunAsync(TimeSpan setupTimeout, CancellationToken cancellationToken)
    {
        try
        {
            using (var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                setup.CancelAfter(setupTimeout);
                await _channel.ServerHandshakeAsync(setup.Token).ConfigureAwait(false);
            }
            while (await _channel.ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                try
                {
                    if (message.Type is RtmpMessageType.Audio or RtmpMessageType.Video)
                    {
                        Count(message);
                    }
                    else
                    {
                        Volatile.Write(ref _messages, _messages + 1);
                        await AnswerAsync(message, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    message.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or RtmpProtocolException)
        {
            Error = ex.Message;
        }
        finally
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask CloseAsync() => _channel.DisposeAsync();

    private void Count(RtmpMessage message)
    {
        Volatile.Write(ref _messages, _messages + 1);
        if (!MessageStamp.TryRead(message.Span, out var publisher, out var flags, out var sentAt)
            || (flags & MessageStamp.Measured) == 0 || publisher >= _measuredReceived.Length)
        {
            return;
        }
        Volatile.Write(ref _measuredReceived[publisher], _measuredReceived[publisher] + 1);
        _latency.Record((_channel.LastReceiveTicks - sentAt) * 1_000_000 / Stopwatch.Frequency);
    }

    /// <summary>The answers a relay's outbound publish needs (ffmpeg's and nginx-rtmp's client sequences).</summary>
    private async Task AnswerAsync(RtmpMessage message, CancellationToken cancellationToken)
    {
        if (message.Type is not (RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3))
        {
            return; // @setDataFrame and other data: counted above
        }
        if (RtmpChannel.DecodeCommand(message) is not [string name, double transaction, ..] values)
        {
            return;
        }
        switch (name)
        {
            case "connect":
                await _channel.SendControlAsync(static (w, s, v) => ControlMessages.WriteWindowAcknowledgementSize(w, (uint)v, s), WindowSize, cancellationToken).ConfigureAwait(false);
                await _channel.SendControlAsync(static (w, s, v) => ControlMessages.WriteSetPeerBandwidth(w, (uint)v, 2, s), WindowSize, cancellationToken).ConfigureAwait(false);
                await _channel.SendAmfAsync(0, cancellationToken, RtmpMessageType.CommandAmf0, "_result", transaction,
                    new AmfObject().Add("fmsVer", "FMS/3,5,7,7009").Add("capabilities", 31.0),
                    new AmfObject().Add("level", "status").Add("code", "NetConnection.Connect.Success")
                        .Add("description", "Connection succeeded.").Add("objectEncoding", 0.0)).ConfigureAwait(false);
                break;
            case "createStream":
                await _channel.SendAmfAsync(0, cancellationToken, RtmpMessageType.CommandAmf0, "_result", transaction, null, 1.0).ConfigureAwait(false);
                break;
            case "publish":
                StreamName = values.Count > 3 ? values[3] as string : null;
                await _channel.SendControlAsync(static (w, s, v) => ControlMessages.WriteUserControl(w, UserControlEventType.StreamBegin, (uint)v, s), message.StreamId, cancellationToken).ConfigureAwait(false);
                await _channel.SendAmfAsync(message.StreamId, cancellationToken, RtmpMessageType.CommandAmf0, "onStatus", 0.0, null,
                    new AmfObject().Add("level", "status").Add("code", "NetStream.Publish.Start")
                        .Add("description", $"{StreamName} is now published.")).ConfigureAwait(false);
                break;
            case "deleteStream" or "FCUnpublish" or "closeStream":
                break;
            default:
                // releaseStream, FCPublish and anything else that expects an answer.
                if (transaction > 0)
                {
                    await _channel.SendAmfAsync(0, cancellationToken, RtmpMessageType.CommandAmf0, "_result", transaction, null).ConfigureAwait(false);
                }
                break;
        }
    }
}

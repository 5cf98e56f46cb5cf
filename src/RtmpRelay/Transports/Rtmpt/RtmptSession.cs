using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using RtmpRelay.Core;

namespace RtmpRelay.Transports.Rtmpt;

/// <summary>
/// One RTMPT session: the byte stream of one RTMP connection carried by many HTTP requests, possibly over several
/// TCP connections. The relay's connection handler sees an ordinary duplex pipe: what /send bodies carry comes out
/// of <see cref="ToServer"/>, and what the relay writes to <see cref="ToClient"/> goes back in responses.
/// </summary>
internal sealed class RtmptSession
{
    private const int EmptyRepliesBeforeBackoff = 10;
    private const int MaxPollDelay = 32;

    private long _lastActivityTicks;
    private int _emptyReplies;
    private int _pollDelay = 1;

    public RtmptSession(string id, string connectionId, IPAddress? client, int maxBufferedBytes, TimeProvider time)
    {
        Id = id;
        Client = client;
        Time = time;
        ToServer = new Pipe(new PipeOptions(pauseWriterThreshold: maxBufferedBytes, resumeWriterThreshold: maxBufferedBytes / 2, useSynchronizationContext: false));
        ToClient = new Pipe(new PipeOptions(pauseWriterThreshold: maxBufferedBytes, resumeWriterThreshold: maxBufferedBytes / 2, useSynchronizationContext: false));
        Connection = new DefaultConnectionContext(connectionId, new DuplexPipe(ToServer.Reader, ToClient.Writer), new DuplexPipe(ToClient.Reader, ToServer.Writer));
        Touch();
    }

    public string Id { get; }
    public IPAddress? Client { get; }
    public TimeProvider Time { get; }
    public Pipe ToServer { get; }
    public Pipe ToClient { get; }

    /// <summary>What the relay's connection handler runs on.</summary>
    public DefaultConnectionContext Connection { get; }

    /// <summary>Requests of one session are served one at a time, in the order they arrive.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Set when the relay ended the RTMP connection; the session ends once its last bytes are fetched.</summary>
    public bool RelayClosed { get; set; }

    /// <summary>Set when the session is over (closed, expired or drained): later requests get 404.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Requests served; the first few /send wait briefly for the reply (the handshake answer rides on them).</summary>
    public int Requests { get; set; }

    public TimeSpan IdleFor => Time.GetElapsedTime(Interlocked.Read(ref _lastActivityTicks));

    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, Time.GetTimestamp());

    /// <summary>
    /// The poll-interval byte that starts every send/idle response: 1 after data; after ten empty replies the delay
    /// doubles (1, 2, 4 ... 32) and the byte is delay + 1; 0 when closing. Flash spaces its polls by it.
    /// </summary>
    public byte NextPollByte(bool hadData, bool closing)
    {
        if (closing)
        {
            return 0;
        }
        if (hadData)
        {
            _emptyReplies = 0;
            _pollDelay = 1;
            return 1;
        }
        if (++_emptyReplies >= EmptyRepliesBeforeBackoff)
        {
            _emptyReplies = 0;
            _pollDelay = Math.Min(_pollDelay * 2, MaxPollDelay);
        }
        return (byte)(_pollDelay == 1 ? 1 : _pollDelay + 1);
    }

    /// <summary>Ends the session: the relay sees the peer close, and pending reads end.</summary>
    public void Close()
    {
        if (IsClosed)
        {
            return;
        }
        IsClosed = true;
        ToServer.Writer.Complete();
        ToClient.Reader.CancelPendingRead();
        Connection.Abort(new ConnectionAbortedException("RTMPT session closed"));
    }
}

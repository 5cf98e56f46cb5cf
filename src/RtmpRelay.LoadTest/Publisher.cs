using System.Diagnostics;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.LoadTest;

/// <summary>
/// One encoder: connects as ffmpeg does (connect, releaseStream, FCPublish, createStream, publish), sends the
/// file's metadata and sequence headers once, then replays its media tags in a loop with continuing timestamps,
/// in real time (paced by a periodic timer) or as fast as the relay accepts them. Every audio and video frame
/// carries a <see cref="MessageStamp"/>. The send loop reuses two buffers and allocates nothing per frame.
/// </summary>
internal sealed class Publisher : IAsyncDisposable
{
    private const int ChunkSize = 4096;
    private const int AudioChunkStream = 4;
    private const int DataChunkStream = 5;
    private const int VideoChunkStream = 6;
    private const int MaxBatchBytes = 256 * 1024;
    private static readonly byte[] SetDataFrame = [0x02, 0x00, 0x0D, .. "@setDataFrame"u8];

    private readonly int _index;
    private readonly FlvFile _file;
    private readonly LoadTestOptions _options;
    private readonly MeasurementWindow _window;
    private RtmpChannel? _channel;
    private Task? _readLoop;
    private uint _streamId;
    private byte[] _batch = new byte[MaxBatchBytes + 64 * 1024];
    private int _batchLength;
    private byte[] _scratch = new byte[64 * 1024];
    private uint _sequence;
    private long _bytesSent;

    public Publisher(int index, FlvFile file, LoadTestOptions options, MeasurementWindow window)
    {
        _index = index;
        _file = file;
        _options = options;
        _window = window;
        StreamName = $"{options.StreamPrefix}{index}";
    }

    public string StreamName { get; }

    /// <summary>Stamped frames sent inside the measurement window (each should reach every destination once).</summary>
    public long MeasuredSent { get; private set; }

    /// <summary>Every message sent, headers included.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Chunked bytes written to the relay (read from other threads).</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Set when the connection or the stream failed.</summary>
    public string? Error { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var target = _options.Target;
        _channel = await RtmpChannel.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
        await _channel.ClientHandshakeAsync(cancellationToken).ConfigureAwait(false);
        await _channel.SendSetChunkSizeAsync(ChunkSize, cancellationToken).ConfigureAwait(false);
        var connect = new AmfObject()
            .Add("app", target.App)
            .Add("type", "nonprivate")
            .Add("flashVer", "FMLE/3.0 (compatible; rtmprelay-loadtest)")
            .Add("tcUrl", target.TcUrl);
        await _channel.CallAsync(0, "connect", 1, [connect], cancellationToken).ConfigureAwait(false);
        await _channel.SendAmfAsync(0, cancellationToken, RtmpMessageType.CommandAmf0, "releaseStream", 2.0, null, StreamName).ConfigureAwait(false);
        await _channel.SendAmfAsync(0, cancellationToken, RtmpMessageType.CommandAmf0, "FCPublish", 3.0, null, StreamName).ConfigureAwait(false);
        var created = await _channel.CallAsync(0, "createStream", 4, [null], cancellationToken).ConfigureAwait(false);
        _streamId = created.Count > 3 && created[3] is double id ? (uint)id : 1;
        await _channel.SendAmfAsync(_streamId, cancellationToken, RtmpMessageType.CommandAmf0, "publish", 5.0, null, StreamName, "live").ConfigureAwait(false);
        var status = await _channel.WaitForCommandAsync(v => v.Count > 3 && v[0] is "onStatus" && v[3] is AmfObject, cancellationToken).ConfigureAwait(false);
        var code = ((AmfObject)status[3]!).GetString("code");
        if (code != "NetStream.Publish.Start")
        {
            throw new IOException($"publish {StreamName} refused: {code}");
        }
        _readLoop = Task.Run(() => DiscardIncomingAsync(_channel));
    }

    /// <summary>Streams until <paramref name="stop"/> fires; waits <paramref name="startDelay"/> first (to stagger publishers).</summary>
    public async Task StreamAsync(TimeSpan startDelay, CancellationToken stop)
    {
        var channel = _channel ?? throw new InvalidOperationException("not connected");
        try
        {
            await Task.Delay(startDelay, stop).ConfigureAwait(false);
            _batchLength = 0;
            foreach (var header in _file.Headers)
            {
                Append(header, 0);
            }
            await channel.SendAsync(_batch.AsMemory(0, _batchLength), stop).ConfigureAwait(false);

            var media = _file.Media;
            var next = 0;
            long loopOffset = 0;
            var start = Stopwatch.GetTimestamp();
            using var timer = _options.Fast ? null : new PeriodicTimer(_options.Tick);
            while (!stop.IsCancellationRequested)
            {
                var now = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                _batchLength = 0;
                var full = false;
                while (true)
                {
                    var tag = media[next];
                    var due = tag.Timestamp - _file.FirstTimestamp + loopOffset;
                    if (!_options.Fast && due > now)
                    {
                        break;
                    }
                    if (_batchLength >= MaxBatchBytes)
                    {
                        full = true;
                        break;
                    }
                    Append(tag, (uint)due);
                    if (++next == media.Count)
                    {
                        next = 0;
                        loopOffset += _file.LoopDuration;
                    }
                }
                if (_batchLength > 0)
                {
                    // Not cancelled by stop: a message cut in half would leave the relay mid-message.
                    await channel.SendAsync(_batch.AsMemory(0, _batchLength), CancellationToken.None).ConfigureAwait(false);
                }
                if (timer is not null && !full)
                {
                    await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            Error = $"{StreamName}: {ex.Message}";
        }
    }

    private void Append(in ReplayTag tag, uint timestamp)
    {
        ReadOnlySpan<byte> payload = tag.Payload.Span;
        var chunkStream = DataChunkStream;
        if (tag.Type == RtmpMessageType.DataAmf0 && tag.IsHeader)
        {
            // Encoders send metadata as "@setDataFrame", "onMetaData", values.
            var length = SetDataFrame.Length + payload.Length;
            EnsureScratch(length);
            SetDataFrame.CopyTo(_scratch, 0);
            payload.CopyTo(_scratch.AsSpan(SetDataFrame.Length));
            payload = _scratch.AsSpan(0, length);
        }
        else if (tag.Type is RtmpMessageType.Audio or RtmpMessageType.Video)
        {
            chunkStream = tag.Type == RtmpMessageType.Audio ? AudioChunkStream : VideoChunkStream;
            if (!tag.IsHeader && payload.Length >= MessageStamp.MinimumPayload)
            {
                EnsureScratch(payload.Length);
                var stamped = _scratch.AsSpan(0, payload.Length);
                payload.CopyTo(stamped);
                var measured = _window.IsMeasuring;
                MessageStamp.Write(stamped, (ushort)_index, measured ? MessageStamp.Measured : (ushort)0, _sequence++, Stopwatch.GetTimestamp());
                if (measured)
                {
                    MeasuredSent++;
                }
                payload = stamped;
            }
        }
        var needed = ChunkWriter.GetChunkedLength(chunkStream, timestamp, payload.Length, ChunkSize);
        if (_batchLength + needed > _batch.Length)
        {
            Array.Resize(ref _batch, Math.Max(_batch.Length * 2, _batchLength + needed));
        }
        _batchLength += ChunkWriter.Write(_batch.AsSpan(_batchLength), chunkStream, tag.Type, timestamp, _streamId, payload, ChunkSize);
        MessagesSent++;
        Volatile.Write(ref _bytesSent, _bytesSent + needed);
    }

    private void EnsureScratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
    }

    /// <summary>Reads (and drops) what the relay sends after publish: status, acknowledgements; answers pings.</summary>
    private async Task DiscardIncomingAsync(RtmpChannel channel)
    {
        try
        {
            while (await channel.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } message)
            {
                if (message.Type == RtmpMessageType.CommandAmf0 && RtmpChannel.DecodeCommand(message) is [ "onStatus", _, _, AmfObject info, ..]
                    && info.GetString("level") == "error")
                {
                    Error ??= $"{StreamName}: relay reported {info.GetString("code")}";
                }
                message.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException or RtmpRelay.Protocol.RtmpProtocolException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }
        if (_readLoop is not null)
        {
            await _readLoop.ConfigureAwait(false);
        }
    }
}

using System.Buffers;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Core;

internal sealed partial class RtmpConnection
{
    /// <summary>Queues a protocol control message built by <paramref name="write"/> (already chunked).</summary>
    public void SendControl(Action<IBufferWriter<byte>> write)
    {
        lock (_sendGate)
        {
            _scratch.ResetWrittenCount();
            write(_scratch);
            EnqueueOwned(ChunkedMessage.FromChunkedBytes(_scratch.WrittenSpan, RtmpMessageType.UserControl));
        }
    }

    /// <summary>As <see cref="SendControl(Action{IBufferWriter{byte}})"/>, for a writer of one value and the chunk size: a static one allocates nothing.</summary>
    public void SendControl(uint value, Action<IBufferWriter<byte>, uint, int> write)
    {
        lock (_sendGate)
        {
            _scratch.ResetWrittenCount();
            write(_scratch, value, OutgoingChunkSize);
            EnqueueOwned(ChunkedMessage.FromChunkedBytes(_scratch.WrittenSpan, RtmpMessageType.UserControl));
        }
    }

    public void SendSetChunkSize(int chunkSize)
    {
        lock (_sendGate)
        {
            SendControl(w => ControlMessages.WriteSetChunkSize(w, chunkSize, OutgoingChunkSize));
            // Everything queued after this is chunked with the new size, matching what the peer will expect.
            OutgoingChunkSize = chunkSize;
        }
    }

    public void SendWindowAcknowledgementSize(uint window)
    {
        _lastWindowSent = window;
        SendControl(w => ControlMessages.WriteWindowAcknowledgementSize(w, window, OutgoingChunkSize));
    }

    public void SendUserControl(UserControlEventType eventType, uint value) =>
        SendControl(w => ControlMessages.WriteUserControl(w, eventType, value, OutgoingChunkSize));

    /// <summary>Queues an AMF0 command: name, transaction id, then the arguments (command object first).</summary>
    public void SendCommand(uint streamId, string name, double transactionId, params object?[] arguments) =>
        SendCommandTo(Queue, streamId, name, transactionId, arguments);

    /// <summary>Queues an AMF0 command on <paramref name="target"/> (a media queue, to keep it behind the media already queued).</summary>
    public void SendCommandTo(SendQueue target, uint streamId, string name, double transactionId, params object?[] arguments)
    {
        lock (_sendGate)
        {
            _payloadScratch.ResetWrittenCount();
            Amf0Writer.WriteString(_payloadScratch, name);
            Amf0Writer.WriteNumber(_payloadScratch, transactionId);
            foreach (var argument in arguments)
            {
                Amf0Writer.WriteValue(_payloadScratch, argument);
            }
            var message = ChunkedMessage.Create(CommandChunkStream, RtmpMessageType.CommandAmf0, 0, streamId,
                _payloadScratch.WrittenSpan, OutgoingChunkSize, MediaKind.Control);
            target.TryEnqueue(message);
            message.Release();
        }
    }

    /// <summary>Queues an AMF0 data message (onStatus-like notifications, |RtmpSampleAccess).</summary>
    public void SendData(uint streamId, params object?[] values)
    {
        lock (_sendGate)
        {
            _payloadScratch.ResetWrittenCount();
            foreach (var value in values)
            {
                Amf0Writer.WriteValue(_payloadScratch, value);
            }
            EnqueueOwned(ChunkedMessage.Create(DataChunkStream, RtmpMessageType.DataAmf0, 0, streamId,
                _payloadScratch.WrittenSpan, OutgoingChunkSize, MediaKind.Control));
        }
    }

    /// <summary>onStatus on a message stream, with the standard info object.</summary>
    public void SendStatus(uint streamId, string level, string code, string description, AmfObject? extra = null)
    {
        var info = new AmfObject().Add("level", level).Add("code", code).Add("description", description);
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                info[key] = value;
            }
        }
        SendCommand(streamId, "onStatus", 0, null, info);
    }

    private void EnqueueOwned(ChunkedMessage message)
    {
        Queue.TryEnqueue(message);
        message.Release();
    }
}

using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Flv;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// Runs every payload parser the relay applies to a message of a given type: control values, FLV tag facts (and the
/// codec names the admin view shows), AMF0/AMF3 values, aggregate sub-messages.
/// </summary>
internal static class Payloads
{
    /// <summary>Marks what <see cref="Amf0Reader"/> prints when it turned a bug (not malformed data) into an <see cref="AmfException"/>.</summary>
    private const string WrappedBug = "could not be decoded (";

    public static void Inspect(RtmpMessage message)
    {
        switch (message.Type)
        {
            case RtmpMessageType.SetChunkSize or RtmpMessageType.Abort or RtmpMessageType.Acknowledgement or RtmpMessageType.WindowAcknowledgementSize:
                Expect(() => _ = ControlMessages.ReadUInt32(message));
                break;
            case RtmpMessageType.UserControl:
                Expect(() => _ = ControlMessages.ReadUserControl(message));
                break;
            default:
                Inspect(message.Type, message.Timestamp, message.Span);
                break;
        }
    }

    public static void Inspect(RtmpMessageType type, uint timestamp, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case RtmpMessageType.Video:
                Video(payload);
                break;
            case RtmpMessageType.Audio:
                Audio(payload);
                break;
            case RtmpMessageType.CommandAmf0 or RtmpMessageType.DataAmf0:
                Amf(payload);
                break;
            case RtmpMessageType.CommandAmf3 or RtmpMessageType.DataAmf3:
                // AMF3 messages start with a format byte (0), then AMF0 values that may switch to AMF3 with 0x11.
                Amf(payload.IsEmpty ? payload : payload[1..]);
                break;
            case RtmpMessageType.Aggregate:
                Aggregate(payload, timestamp);
                break;
        }
    }

    public static void Video(ReadOnlySpan<byte> payload)
    {
        var info = FlvTag.ReadVideo(payload);
        _ = CodecNames.Of(info);
        _ = FlvTag.IsVideoKeyframe(payload);
        _ = FlvTag.IsVideoSequenceHeader(payload);
    }

    public static void Audio(ReadOnlySpan<byte> payload)
    {
        var info = FlvTag.ReadAudio(payload);
        _ = CodecNames.Of(info);
        _ = FlvTag.IsAudioSequenceHeader(payload);
        _ = FlvTag.IsAudioMultichannelConfig(payload);
    }

    /// <summary>Decodes every AMF value; malformed data is expected, a bug the reader wrapped is not.</summary>
    public static void Amf(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Amf0Reader(payload);
            var last = -1;
            while (!reader.End)
            {
                reader.ReadValue();
                if (reader.Consumed <= last || reader.Consumed > payload.Length)
                {
                    throw new FuzzFailure($"AMF0 reader position went from {last} to {reader.Consumed} of {payload.Length}");
                }
                last = reader.Consumed;
            }
        }
        catch (AmfException ex) when (!ex.Message.Contains(WrappedBug, StringComparison.Ordinal))
        {
        }
        catch (AmfException ex)
        {
            throw new FuzzFailure($"the AMF reader hid a bug: {ex.Message}", ex);
        }
    }

    public static void Aggregate(ReadOnlySpan<byte> payload, uint timestamp)
    {
        var reader = new AggregateReader(payload, timestamp);
        var total = 0;
        try
        {
            while (reader.TryReadNext(out var type, out var subTimestamp, out var data))
            {
                total += data.Length;
                if (total > payload.Length)
                {
                    throw new FuzzFailure($"aggregate sub-messages hold {total} bytes, more than the {payload.Length} of the aggregate");
                }
                Inspect(type, subTimestamp, data);
            }
        }
        catch (RtmpProtocolException)
        {
        }
    }

    private static void Expect(Action read)
    {
        try
        {
            read();
        }
        catch (RtmpProtocolException)
        {
        }
    }
}

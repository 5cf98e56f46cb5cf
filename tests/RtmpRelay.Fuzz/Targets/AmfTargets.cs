using RtmpRelay.Fuzz.Infrastructure;

namespace RtmpRelay.Fuzz.Targets;

/// <summary>The AMF0 decoder: input is AMF0 values, as in a command or data message.</summary>
internal static class Amf0Target
{
    public static void Run(ReadOnlyMemory<byte> data) => Payloads.Amf(data.Span);
}

/// <summary>
/// The AMF3 decoder, reached as RTMP reaches it: input is one AMF3 value after the avmplus marker (0x11); whatever
/// follows is read on as AMF0 values, where further 0x11 markers switch to AMF3 again with the same reference tables.
/// </summary>
internal static class Amf3Target
{
    public static void Run(ReadOnlyMemory<byte> data)
    {
        var input = new byte[data.Length + 1];
        input[0] = 0x11;
        data.Span.CopyTo(input.AsSpan(1));
        Payloads.Amf(input);
    }
}

/// <summary>
/// FLV tag parsing: the video and audio tag facts (keyframe, sequence header, Enhanced RTMP FourCC, codec names)
/// the stream registry, the drop policy and the admin view take from media messages, and aggregate splitting.
/// Input: byte 0 selects video (even) or audio (odd); with bit 1 set the rest is an aggregate payload instead.
/// </summary>
internal static class FlvTarget
{
    public static void Run(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        var selector = data.Span[0];
        var payload = data.Span[1..];
        if ((selector & 2) != 0)
        {
            Payloads.Aggregate(payload, timestamp: 1000);
        }
        else if ((selector & 1) == 0)
        {
            Payloads.Video(payload);
        }
        else
        {
            Payloads.Audio(payload);
        }
    }
}

using System.Buffers;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// Realistic publisher traffic, built once: one second of a 4 Mbit/s, 30 fps H.264 + 48 kHz AAC stream (a 60 KB
/// keyframe, 29 inter frames of about 16 KB, 47 AAC frames of about 370 bytes, interleaved by timestamp) as an
/// encoder sends it after Set Chunk Size 4096: video on chunk stream 6, audio on 4, message stream 1.
/// </summary>
internal static class SampleStream
{
    public const int ChunkSize = 4096;
    public const int AudioChunkStream = 4;
    public const int VideoChunkStream = 6;
    public const int VideoFrames = 30;
    public const int AudioFrames = 47;
    public const int KeyframeBytes = 60_000;
    public const int InterFrameBytes = 16_000;
    public const int AudioFrameBytes = 370;

    /// <summary>(type, timestamp, payload) of every media message of the second, in send order.</summary>
    public static IReadOnlyList<(RtmpMessageType Type, uint Timestamp, byte[] Payload)> Messages { get; } = BuildMessages();

    /// <summary>Number of media messages in <see cref="Build"/>'s output (Set Chunk Size not counted).</summary>
    public static int MessageCount => Messages.Count;

    /// <summary>Set Chunk Size 4096 followed by every message of <see cref="Messages"/>, chunked at 4096.</summary>
    public static byte[] Build()
    {
        var output = new ArrayBufferWriter<byte>(1 << 20);
        ControlMessages.WriteSetChunkSize(output, ChunkSize, currentChunkSize: 128);
        foreach (var (type, timestamp, payload) in Messages)
        {
            var csid = type == RtmpMessageType.Video ? VideoChunkStream : AudioChunkStream;
            ChunkWriter.Write(output, csid, type, timestamp, 1, payload, ChunkSize);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A video payload: FLV video tag header (AVC, keyframe or inter frame, NALU) and pseudo-random data.</summary>
    public static byte[] VideoPayload(int length, bool keyframe, int seed)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        payload[0] = (byte)((keyframe ? 0x10 : 0x20) | 7);
        payload[1] = 1; // AVC NALU
        payload[2] = payload[3] = payload[4] = 0; // composition time
        return payload;
    }

    /// <summary>An audio payload: FLV audio tag header (AAC, 44 kHz flag, 16 bit, stereo, raw frame) and data.</summary>
    public static byte[] AudioPayload(int length, int seed)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        payload[0] = 0xAF;
        payload[1] = 1; // AAC raw
        return payload;
    }

    /// <summary>The connect command ffmpeg sends when publishing (AMF0, transaction 1).</summary>
    public static byte[] ConnectCommand()
    {
        var output = new ArrayBufferWriter<byte>(512);
        Amf0Writer.WriteString(output, "connect");
        Amf0Writer.WriteNumber(output, 1);
        Amf0Writer.WriteObject(output, new AmfObject
        {
            { "app", "live" },
            { "type", "nonprivate" },
            { "flashVer", "FMLE/3.0 (compatible; Lavf61.7.100)" },
            { "tcUrl", "rtmp://127.0.0.1:1935/live" },
        });
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The connect command of a Flash-style client with the full set of properties (larger object).</summary>
    public static byte[] ConnectCommandFull()
    {
        var output = new ArrayBufferWriter<byte>(512);
        Amf0Writer.WriteString(output, "connect");
        Amf0Writer.WriteNumber(output, 1);
        Amf0Writer.WriteObject(output, new AmfObject
        {
            { "app", "live" },
            { "flashVer", "LNX 9,0,124,2" },
            { "swfUrl", "rtmp://127.0.0.1:1935/live" },
            { "tcUrl", "rtmp://127.0.0.1:1935/live" },
            { "fpad", false },
            { "capabilities", 15.0 },
            { "audioCodecs", 4071.0 },
            { "videoCodecs", 252.0 },
            { "videoFunction", 1.0 },
            { "objectEncoding", 0.0 },
        });
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The publish command: "publish", transaction 5, null, stream name, "live".</summary>
    public static byte[] PublishCommand()
    {
        var output = new ArrayBufferWriter<byte>(128);
        Amf0Writer.WriteValues(output, "publish", 5.0, null, "mystream", "live");
        return output.WrittenSpan.ToArray();
    }

    private static List<(RtmpMessageType, uint, byte[])> BuildMessages()
    {
        var list = new List<(RtmpMessageType, uint, byte[])>();
        int video = 0, audio = 0;
        // Merge the two clocks: video every 33.3 ms, AAC every 1024/48000 s = 21.3 ms.
        while (video < VideoFrames || audio < AudioFrames)
        {
            var videoTime = video * 1000.0 / VideoFrames;
            var audioTime = audio * 1024 * 1000.0 / 48000;
            if (video < VideoFrames && (audio >= AudioFrames || videoTime <= audioTime))
            {
                var keyframe = video == 0;
                list.Add((RtmpMessageType.Video, (uint)videoTime,
                    VideoPayload(keyframe ? KeyframeBytes : InterFrameBytes, keyframe, video)));
                video++;
            }
            else
            {
                list.Add((RtmpMessageType.Audio, (uint)audioTime, AudioPayload(AudioFrameBytes, 1000 + audio)));
                audio++;
            }
        }
        return list;
    }
}

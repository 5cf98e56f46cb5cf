using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Tests.Functional;

/// <summary>Minimal FLV audio/video payloads: just enough for the relay to tell headers, keyframes and other frames apart.</summary>
internal static class FlvSamples
{
    /// <summary>AVC sequence header (0x17 0x00) with a small AVCDecoderConfigurationRecord.</summary>
    public static readonly byte[] AvcSequenceHeader =
        [0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0x00, 0x04, 0x67, 0x64, 0x00, 0x1F, 0x01, 0x00, 0x04, 0x68, 0xEE, 0x3C, 0x80];

    /// <summary>AAC sequence header (0xAF 0x00): AudioSpecificConfig for AAC-LC 44.1 kHz stereo.</summary>
    public static readonly byte[] AacSequenceHeader = [0xAF, 0x00, 0x12, 0x10];

    /// <summary>AVC keyframe NALU (0x17 0x01), composition time 0, then <paramref name="size"/> bytes marked with <paramref name="mark"/>.</summary>
    public static byte[] KeyFrame(byte mark, int size = 16) => Frame(0x17, mark, size);

    /// <summary>AVC inter frame NALU (0x27 0x01).</summary>
    public static byte[] InterFrame(byte mark, int size = 16) => Frame(0x27, mark, size);

    /// <summary>AAC raw frame (0xAF 0x01).</summary>
    public static byte[] AacFrame(byte mark, int size = 8)
    {
        var payload = new byte[2 + size];
        payload[0] = 0xAF;
        payload[1] = 0x01;
        for (var i = 2; i < payload.Length; i++)
        {
            payload[i] = (byte)(mark + i);
        }
        return payload;
    }

    private static byte[] Frame(byte first, byte mark, int size)
    {
        var payload = new byte[5 + size];
        payload[0] = first;
        payload[1] = 0x01;
        for (var i = 5; i < payload.Length; i++)
        {
            payload[i] = (byte)(mark * 31 + i);
        }
        return payload;
    }

    public static AmfObject MetaData() => new AmfObject { IsEcmaArray = true }
        .Add("width", 1280.0)
        .Add("height", 720.0)
        .Add("framerate", 30.0)
        .Add("videocodecid", 7.0)
        .Add("audiocodecid", 10.0);

    /// <summary>What an encoder sends: "@setDataFrame", "onMetaData", {...}.</summary>
    public static byte[] SetDataFrame() => TestRtmpClient.Amf("@setDataFrame", "onMetaData", MetaData());

    /// <summary>What a player gets: "onMetaData", {...}.</summary>
    public static byte[] OnMetaData() => TestRtmpClient.Amf("onMetaData", MetaData());
}

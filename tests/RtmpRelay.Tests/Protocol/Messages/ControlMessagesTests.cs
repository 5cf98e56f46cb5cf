using System.Buffers;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Protocol.Messages;

/// <summary>Protocol control and user control messages, byte for byte (chunk stream 2, message stream 0, timestamp 0).</summary>
public class ControlMessagesTests
{
    private static string Hex(string spaced) => spaced.Replace(" ", "");

    private static string Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Convert.ToHexString(output.WrittenSpan);
    }

    [Fact]
    public void WriteSetChunkSize_4096_ExactBytes()
    {
        // basic 02 | ts 000000 | length 000004 | type 01 | msid 00000000 | 00001000
        Assert.Equal(Hex("02 000000 000004 01 00000000 00001000"), Written(w => ControlMessages.WriteSetChunkSize(w, 4096, 128)));
    }

    [Fact]
    public void WriteWindowAcknowledgementSize_2500000_ExactBytes()
    {
        Assert.Equal(Hex("02 000000 000004 05 00000000 002625A0"), Written(w => ControlMessages.WriteWindowAcknowledgementSize(w, 2_500_000, 128)));
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(1, "01")]
    [InlineData(2, "02")]
    public void WriteSetPeerBandwidth_2500000WithLimitType_ExactBytes(byte limitType, string limitHex)
    {
        Assert.Equal(Hex("02 000000 000005 06 00000000 002625A0" + limitHex),
            Written(w => ControlMessages.WriteSetPeerBandwidth(w, 2_500_000, limitType, 128)));
    }

    [Fact]
    public void WriteUserControl_StreamBegin_ExactBytes()
    {
        Assert.Equal(Hex("02 000000 000006 04 00000000 0000 00000001"),
            Written(w => ControlMessages.WriteUserControl(w, UserControlEventType.StreamBegin, 1, 128)));
    }

    [Fact]
    public void WriteUserControl_StreamEof_ExactBytes()
    {
        Assert.Equal(Hex("02 000000 000006 04 00000000 0001 00000001"),
            Written(w => ControlMessages.WriteUserControl(w, UserControlEventType.StreamEof, 1, 128)));
    }

    [Fact]
    public void WriteUserControl_PingResponse_ExactBytes()
    {
        Assert.Equal(Hex("02 000000 000006 04 00000000 0007 12345678"),
            Written(w => ControlMessages.WriteUserControl(w, UserControlEventType.PingResponse, 0x12345678, 128)));
    }

    [Fact]
    public void WriteAcknowledgement_SequenceNumber_ExactBytes()
    {
        Assert.Equal(Hex("02 000000 000004 03 00000000 FFFFFFFE"), Written(w => ControlMessages.WriteAcknowledgement(w, 0xFFFFFFFE, 128)));
    }

    [Fact]
    public void WriteSetBufferLength_StreamAndMilliseconds_ExactBytes()
    {
        Assert.Equal(Hex("02 000000 00000A 04 00000000 0003 00000001 00000BB8"),
            Written(w => ControlMessages.WriteSetBufferLength(w, 1, 3000, 128)));
    }

    [Fact]
    public void WriteSetChunkSize_CurrentChunkSizeSmallerThanThePayload_Chunked()
    {
        // Written with the chunk size in force before the change: a (pathological) outgoing chunk size of 1.
        Assert.Equal(Hex("02 000000 000004 01 00000000 00 C2 00 C2 10 C2 00"), Written(w => ControlMessages.WriteSetChunkSize(w, 4096, 1)));
    }

    [Fact]
    public void ReadUInt32AndReadUserControl_WhatTheWritersWrote_ReadBack()
    {
        var window = ReadBack(w => ControlMessages.WriteWindowAcknowledgementSize(w, 2_500_000, 128));
        var ping = ReadBack(w => ControlMessages.WriteUserControl(w, UserControlEventType.PingRequest, 77, 128));
        try
        {
            Assert.Equal(RtmpMessageType.WindowAcknowledgementSize, window.Type);
            Assert.Equal(2_500_000u, ControlMessages.ReadUInt32(window));
            Assert.Equal((UserControlEventType.PingRequest, 77u), ControlMessages.ReadUserControl(ping));
        }
        finally
        {
            window.Release();
            ping.Release();
        }
    }

    [Fact]
    public void ReadUInt32_PayloadShorterThanFourBytes_ThrowsRtmpProtocolException()
    {
        var message = RtmpMessage.Copy(RtmpMessageType.Acknowledgement, 0, 0, [1, 2, 3]);
        try
        {
            Assert.Throws<RtmpProtocolException>(() => ControlMessages.ReadUInt32(message));
        }
        finally
        {
            message.Release();
        }
    }

    [Fact]
    public void ReadUserControl_PayloadShorterThanSixBytes_ThrowsRtmpProtocolException()
    {
        var message = RtmpMessage.Copy(RtmpMessageType.UserControl, 0, 0, [0, 6, 0, 0, 1]);
        try
        {
            Assert.Throws<RtmpProtocolException>(() => ControlMessages.ReadUserControl(message));
        }
        finally
        {
            message.Release();
        }
    }

    private static RtmpMessage ReadBack(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(reader.TryRead(ref buffer, out var message));
        Assert.Equal(0, buffer.Length);
        return message;
    }
}

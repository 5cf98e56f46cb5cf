using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Protocol.Messages;

public class RtmpMessageTests
{
    [Fact]
    public void Copy_Payload_HeldWithItsHeader()
    {
        var message = RtmpMessage.Copy(RtmpMessageType.Video, 1234, 1, [0x17, 0x01, 0x02]);
        try
        {
            Assert.Equal(RtmpMessageType.Video, message.Type);
            Assert.Equal(1234u, message.Timestamp);
            Assert.Equal(1u, message.StreamId);
            Assert.Equal(3, message.Length);
            Assert.Equal([0x17, 0x01, 0x02], message.Span.ToArray());
            Assert.Equal([0x17, 0x01, 0x02], message.Payload.ToArray());
        }
        finally
        {
            message.Release();
        }
    }

    [Fact]
    public void Copy_EmptyPayload_Allowed()
    {
        var message = RtmpMessage.Copy(RtmpMessageType.DataAmf0, 0, 0, []);
        Assert.Equal(0, message.Length);
        message.Release();
    }

    [Fact]
    public void AddRef_ThenRelease_PayloadStaysUntilTheLastRelease()
    {
        var message = RtmpMessage.Copy(RtmpMessageType.Audio, 0, 1, [0xAF, 0x01]);
        message.AddRef();
        message.Release();

        Assert.Equal([0xAF, 0x01], message.Span.ToArray());
        message.Release();
    }
}

using System.Buffers;

namespace RtmpRelay.Tests.Protocol.Handshake;

/// <summary>An <see cref="IBufferWriter{T}"/> that records each Advance, to check writes happen in one go.</summary>
internal sealed class AdvanceCountingWriter : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> _inner = new();

    public List<int> Advances { get; } = [];

    public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

    public void Advance(int count)
    {
        Advances.Add(count);
        _inner.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);
}

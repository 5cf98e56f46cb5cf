using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace RtmpRelay.Transports.Tcp;

/// <summary>
/// The memory sockets receive into, in blocks of <see cref="BlockSize"/> instead of Kestrel's 4 KiB: a socket read
/// takes at most one block, so a 17 KB video frame cost five receive calls, five pipe flushes and five read-loop turns;
/// with 32 KiB blocks it costs one. Blocks are pinned (the socket engine receives into them) and kept for reuse up to
/// <see cref="MaxCachedBlocks"/>; beyond that they go back to the GC. The RTMP transport (<see cref="RtmpSocketTransport"/>),
/// Kestrel's socket transport (admin, RTMPT) and TLS read through the same blocks. An idle plain-TCP connection holds
/// none (both transports wait for data before they take a block).
/// </summary>
internal sealed class ReceiveBlockPool : MemoryPool<byte>
{
    public const int BlockSize = 32 * 1024;
    private const int MaxCachedBlocks = 128; // 4 MiB: more than the blocks in flight at a few hundred busy publishers

    private readonly ConcurrentQueue<Block> _cache = new();
    private int _cached;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            // Kestrel asks for at most a segment; anything larger is not ours to keep.
            return new Block(null, minBufferSize).Rented();
        }
        if (_cache.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _cached);
            return block.Rented();
        }
        return new Block(this, BlockSize).Rented();
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _cached) <= MaxCachedBlocks)
        {
            _cache.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _cached);
        }
    }

    protected override void Dispose(bool disposing) => _cache.Clear();

    /// <summary>One pinned array and its owner object, both reused: a receive costs no allocation.</summary>
    private sealed class Block(ReceiveBlockPool? pool, int size) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        private int _rented;

        public Memory<byte> Memory => Volatile.Read(ref _rented) == 1 ? _array : throw new ObjectDisposedException(nameof(ReceiveBlockPool));

        public Block Rented()
        {
            Volatile.Write(ref _rented, 1);
            return this;
        }

        public void Dispose()
        {
            // Once only: a second Dispose must not put the block in the cache twice.
            if (Interlocked.Exchange(ref _rented, 0) == 1)
            {
                pool?.Return(this);
            }
        }
    }

    /// <summary>
    /// Hands Kestrel the pool: one for every listener and HTTP connection that asks, so the blocks one endpoint returns
    /// serve the others (disposing it, when a listener stops, only empties the cache).
    /// </summary>
    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        private readonly ReceiveBlockPool _pool = new();

        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => _pool;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using RtmpRelay.Hosting;
using RtmpRelay.Transports.Tcp;

namespace RtmpRelay.Tests.Transports.Tcp;

public class ReceiveBlockPoolTests
{
    [Fact]
    public void Rent_KestrelSegmentRequest_GivesAWholeBlock()
    {
        using var pool = new ReceiveBlockPool();
        using var block = pool.Rent(4096);

        Assert.Equal(ReceiveBlockPool.BlockSize, block.Memory.Length);
        Assert.Equal(ReceiveBlockPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_AfterDispose_ReusesTheBlockWithoutAllocating()
    {
        using var pool = new ReceiveBlockPool();
        var first = pool.Rent(4096);
        first.Memory.Span[0] = 42;
        first.Dispose();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var second = pool.Rent(4096);
        second.Dispose();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(first, second);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Dispose_Twice_DoesNotHandOneBlockToTwoRenters()
    {
        using var pool = new ReceiveBlockPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();

        var a = pool.Rent();
        var b = pool.Rent();

        Assert.NotSame(a, b);
    }

    [Fact]
    public void Memory_AfterDispose_Throws()
    {
        using var pool = new ReceiveBlockPool();
        var block = pool.Rent();
        block.Dispose();

        Assert.Throws<ObjectDisposedException>(() => block.Memory);
    }

    [Fact]
    public void Rent_LargerThanABlock_GivesWhatWasAskedAndKeepsItOutOfThePool()
    {
        using var pool = new ReceiveBlockPool();
        var large = pool.Rent(ReceiveBlockPool.BlockSize + 1);
        Assert.Equal(ReceiveBlockPool.BlockSize + 1, large.Memory.Length);
        large.Dispose();

        using var next = pool.Rent();
        Assert.NotSame(large, next);
        Assert.Equal(ReceiveBlockPool.BlockSize, next.Memory.Length);
    }

    [Fact]
    public void AddRtmpRelay_KestrelsMemoryPoolFactory_IsTheReceiveBlockPool()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddRtmpRelay();
        using var app = builder.Build();

        // The socket transport takes the last registered factory for its pools (Kestrel's own stays registered too).
        var factory = Assert.IsType<ReceiveBlockPool.Factory>(app.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
        var pool = factory.Create(new MemoryPoolOptions());
        Assert.Equal(ReceiveBlockPool.BlockSize, pool.MaxBufferSize);
        Assert.Same(pool, factory.Create(new MemoryPoolOptions { Owner = "kestrel" }));
    }

    [Fact]
    public void Dispose_OfTheSharedPool_LeavesItRenting()
    {
        var pool = new ReceiveBlockPool.Factory().Create();
        pool.Rent().Dispose();
        pool.Dispose(); // a listener that stopped

        using var block = pool.Rent();
        Assert.Equal(ReceiveBlockPool.BlockSize, block.Memory.Length);
    }
}

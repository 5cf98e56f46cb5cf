using Microsoft.Extensions.Options;

namespace RtmpRelay.Tests.Functional;

/// <summary>An options monitor that always returns the one instance it was given.</summary>
internal sealed class TestOptionsMonitor<T> : IOptionsMonitor<T>
{
    public TestOptionsMonitor(T value) => CurrentValue = value;

    public T CurrentValue { get; }

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

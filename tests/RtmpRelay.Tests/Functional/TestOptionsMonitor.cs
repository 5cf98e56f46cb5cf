using Microsoft.Extensions.Options;

namespace RtmpRelay.Tests.Functional;

/// <summary>An options monitor holding one value at a time; <see cref="Set"/> changes it as a configuration reload would.</summary>
internal sealed class TestOptionsMonitor<T> : IOptionsMonitor<T>
{
    private readonly List<Action<T, string?>> _listeners = new();

    public TestOptionsMonitor(T value) => CurrentValue = value;

    public T CurrentValue { get; private set; }

    public T Get(string? name) => CurrentValue;

    /// <summary>Replaces the value and tells every listener, on the caller's thread.</summary>
    public void Set(T value)
    {
        CurrentValue = value;
        foreach (var listener in _listeners.ToArray())
        {
            listener(value, Microsoft.Extensions.Options.Options.DefaultName);
        }
    }

    public IDisposable? OnChange(Action<T, string?> listener)
    {
        _listeners.Add(listener);
        return null;
    }
}

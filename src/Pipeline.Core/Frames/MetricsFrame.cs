using Pipeline.Core.Metrics;

namespace Pipeline.Core.Frames;

/// <summary>Carries measurements taken by processors (time to first byte, processing time, usage).</summary>
public sealed class MetricsFrame : SystemFrame
{
    /// <summary>Creates a metrics frame.</summary>
    public MetricsFrame(IReadOnlyList<MetricsData> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
    }

    /// <summary>The measurements.</summary>
    public IReadOnlyList<MetricsData> Data { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}({string.Join(", ", Data)})";
}

namespace Pipeline.Core.Processors;

/// <summary>Which way a frame travels through a pipeline.</summary>
public enum FrameDirection
{
    /// <summary>From the input towards the output (e.g. audio → text → speech).</summary>
    Downstream,

    /// <summary>From the output back towards the input (e.g. errors, speaking events).</summary>
    Upstream,
}

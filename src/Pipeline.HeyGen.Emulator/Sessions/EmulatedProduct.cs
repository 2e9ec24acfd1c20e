namespace Pipeline.HeyGen.Emulator;

/// <summary>Which HeyGen product a session belongs to.</summary>
public enum EmulatedProduct
{
    /// <summary>The Interactive Avatar streaming API (<c>streaming.*</c>).</summary>
    InteractiveAvatar,

    /// <summary>LiveAvatar (<c>sessions/*</c>).</summary>
    LiveAvatar,
}

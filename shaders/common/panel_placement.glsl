// Where an oriented output pixel lands on the panel: the rearview::CropPlan fields that
// crop_scale.cpp copies into push constants (PanelPlacement there, same order).
#ifndef REARVIEW_PANEL_PLACEMENT_GLSL
#define REARVIEW_PANEL_PLACEMENT_GLSL

struct PanelPlacement {
    uint outWidth;   // oriented output size
    uint outHeight;
    uint regionX;    // part of the oriented output the picture covers
    uint regionY;
    uint regionWidth;
    uint regionHeight;
    int ax, bx, cx;  // panel x = ax*i + bx*j + cx
    int ay, by, cy;  // panel y = ay*i + by*j + cy
    uint panelWidth;
};

// Index of oriented pixel o in the packed panel image.
uint panelIndex(uvec2 o, PanelPlacement p) {
    ivec2 q = ivec2(o);
    int x = p.ax * q.x + p.bx * q.y + p.cx;
    int y = p.ay * q.x + p.by * q.y + p.cy;
    return uint(y) * p.panelWidth + uint(x);
}

// Region-relative coordinates of o; false outside the region (the letterbox bars).
bool inRegion(uvec2 o, PanelPlacement p, out uvec2 r) {
    r = o - uvec2(p.regionX, p.regionY); // wraps below the region
    return r.x < p.regionWidth && r.y < p.regionHeight;
}

const uint kOpaqueBlack = 0xFF000000u;

#endif

# MiT-B5 sizes (mmseg: embed dims 64, layers [3, 6, 40, 3]) and its ImageNet-1k
# weights, as variables for a Segformer config built on a MiT-B0 one:
#   model = dict(backbone=_base_.mit_backbone,
#                decode_head=dict(in_channels=_base_.mit_in_channels))
mit_backbone = dict(
    embed_dims=64,
    num_heads=[1, 2, 5, 8],
    num_layers=[3, 6, 40, 3],
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/'
        'pretrain/segformer/mit_b5_20220624-658746d9.pth'))
mit_in_channels = [64, 128, 320, 512]

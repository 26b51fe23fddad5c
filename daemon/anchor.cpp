int musubi_core_anchor = 0;
